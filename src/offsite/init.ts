/**
 * `offsite init`: a random password file when there is none (0600, created exclusively, never
 * printed), the restic repository when it does not exist yet, and the recovery kit: what
 * someone needs to restore with plain restic on a new machine, mailbackup gone.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, statSync, writeSync, fsyncSync } from 'node:fs';
import { dirname } from 'node:path';
import type { OffsiteRepository } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { initRepository, redactUrl, repositoryExists } from '../tools/restic.js';
import { TAG } from './plan.js';

export interface InitResult {
  repository: string;
  url: string;
  passwordFile: string;
  passwordCreated: boolean;
  created: boolean;
  warnings: string[];
  recoveryKit: string[];
}

function createPasswordFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const fd = openSync(file, 'wx', 0o600); // never overwrite: that would lose the key to an existing copy
  try {
    writeSync(fd, randomBytes(32).toString('base64url') + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function recoveryKit(repo: OffsiteRepository, host: string): string[] {
  const opts = Object.entries(repo.options).map(([k, v]) => ` -o '${k}=${v}'`).join('');
  return [
    `RECOVERY KIT for offsite repository ${repo.name} (print it; keep it with a copy of the password, away from the server)`,
    `  repository URL:  ${redactUrl(repo.url)}`,
    `  password file:   ${repo.passwordFile} (without this password the copy cannot be read by anyone, you included)`,
    ...(repo.environmentFile ? [`  backend access:  the variables in ${repo.environmentFile} (e.g. AWS_ACCESS_KEY_ID)`] : []),
    '  restore on a new machine with only restic (apt-get install restic):',
    `    export RESTIC_REPOSITORY='${redactUrl(repo.url)}'`,
    '    export RESTIC_PASSWORD_FILE=/root/offsite.pass     # the password, copied from your safe place',
    `    restic${opts} snapshots --tag ${TAG}               # one per mailbackup snapshot, tagged e.g. daily/2026-11-01`,
    `    restic${opts} restore latest --tag ${TAG} --host ${host} --target /restore/snapshot`,
    '    cd /restore/snapshot && sha256sum -c --quiet manifest.sha256   # proves every file is intact',
    '  then follow docs/recovery.md with /restore/snapshot as the snapshot directory.',
  ];
}

export async function initOffsite(repo: OffsiteRepository, host: string, log: Logger, signal?: AbortSignal): Promise<InitResult> {
  const warnings: string[] = [];
  let passwordCreated = false;
  if (!existsSync(repo.passwordFile)) {
    createPasswordFile(repo.passwordFile);
    passwordCreated = true;
    log.info({ repository: repo.name, passwordFile: repo.passwordFile }, 'created a random repository password');
  } else if ((statSync(repo.passwordFile).mode & 0o077) !== 0) {
    warnings.push(`${repo.passwordFile} is readable by group or others: chmod 600 ${repo.passwordFile}`);
  }
  if (repo.environmentFile && existsSync(repo.environmentFile) && (statSync(repo.environmentFile).mode & 0o077) !== 0) {
    warnings.push(`${repo.environmentFile} is readable by group or others: chmod 600 ${repo.environmentFile}`);
  }
  const exists = await repositoryExists(repo, signal);
  if (!exists) {
    await initRepository(repo, signal);
    log.info({ repository: repo.name }, 'created the offsite repository');
  } else log.info({ repository: repo.name }, 'the offsite repository already exists and the password opens it');
  for (const w of warnings) log.warn({ repository: repo.name }, w);
  return { repository: repo.name, url: redactUrl(repo.url), passwordFile: repo.passwordFile, passwordCreated, created: !exists, warnings, recoveryKit: recoveryKit(repo, host) };
}
