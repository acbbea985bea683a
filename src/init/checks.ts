/**
 * The prerequisite checklist `init` prints: each line says what was verified, and on trouble
 * what to do about it. The checks only read; the caller decides the exit code from the result.
 */
import { existsSync, statSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import { sourcePath } from '../config/load.js';
import { ContainerDownError, errorMessage } from '../errors.js';
import { isMountPoint } from '../repository/marker.js';
import { describeTarget, type ContainerTarget } from '../tools/container.js';
import { isApplicationDatabase } from '../repository/dump-format.js';
import { credentialsTooOpen, listDatabases, probeDumpClient, readCredentials, type DbAccess } from '../tools/mariadb.js';
import { databasesCheck } from './databases.js';
import { which } from '../tools/shell.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';
export interface Check {
  status: CheckStatus;
  what: string;
  detail?: string;
}

function credentialsCheck(file: string): Check {
  if (!existsSync(file)) {
    return { status: 'fail', what: `credentials file ${file}`, detail: 'missing: create it with "[client]\\npassword=…" and chmod 600' };
  }
  const mode = (statSync(file).mode & 0o777).toString(8).padStart(4, '0');
  if (credentialsTooOpen(file)) {
    return { status: 'fail', what: `credentials file ${file} is mode ${mode}`, detail: `others can read the password: chmod 600 ${file}` };
  }
  return { status: 'ok', what: `credentials file ${file} exists, mode ${mode}` };
}

export function sourceChecks(config: Config): Check[] {
  const out: Check[] = [];
  for (const [key, rel, required] of [
    ['source.mail', config.source.mail, true],
    ['source.certbot', config.source.certbot, false],
    ['source.dkim', config.source.dkim, false],
  ] as const) {
    const p = sourcePath(config, rel);
    if (existsSync(p)) out.push({ status: 'ok', what: `${key} ${p} exists` });
    else out.push({ status: required ? 'fail' : 'warn', what: `${key} ${p} does not exist`, detail: `fix ${key} in the config` });
  }
  return out;
}

export function mountCheck(config: Config): Check {
  const mp = config.destination.requireMountpoint;
  if (!mp) {
    return {
      status: 'warn',
      what: 'destination.requireMountpoint is not set',
      detail: 'the destination is on the root filesystem: mount the backup disk and set requireMountpoint',
    };
  }
  return isMountPoint(mp)
    ? { status: 'ok', what: `${mp} is a mount point` }
    : { status: 'fail', what: `${mp} is not a mount point`, detail: `mount the backup disk on ${mp}` };
}

/** rsync, the container runtime, the dump client in the container, and the databases. */
export async function toolChecks(config: Config): Promise<Check[]> {
  const out: Check[] = [];
  const rsync = await which('rsync');
  out.push(rsync ? { status: 'ok', what: `rsync found at ${rsync}` } : { status: 'fail', what: 'rsync not found', detail: 'install rsync (dnf/apt-get install rsync)' });
  const target: ContainerTarget = { runtime: config.database.runtime, container: config.database.container };
  if (target.runtime !== 'host' && !(await which(target.runtime))) {
    out.push({ status: 'fail', what: `${target.runtime} not found`, detail: 'install it or set database.runtime' });
    return out;
  }
  const cred = credentialsCheck(config.database.credentialsFile);
  out.push(cred);
  let password = '';
  try {
    password = readCredentials(config.database.credentialsFile);
  } catch {
    /* reported by the credentials line */
  }
  const access: DbAccess = { target, user: config.database.user, password };
  try {
    const client = await probeDumpClient(access);
    out.push({ status: 'ok', what: `${describeTarget(target)} answers; dump client ${client}` });
  } catch (err) {
    // a stopped or missing container is not a missing program
    const what = err instanceof ContainerDownError ? `${describeTarget(target)} is ${err.state === 'stopped' ? 'not running' : err.state}` : `${describeTarget(target)} has no working dump client`;
    out.push({ status: 'fail', what, detail: errorMessage(err) });
    return out;
  }
  if (cred.status === 'fail') return out;
  try {
    const present = await listDatabases(access);
    out.push(databasesCheck(config.database, present, config.database.user));
  } catch (err) {
    out.push({ status: 'fail', what: `cannot log in to MariaDB as ${config.database.user}`, detail: errorMessage(err) });
  }
  return out;
}

/** Application databases of a running server, for the config's databases list. */
export async function listUserDatabases(access: DbAccess): Promise<string[]> {
  return (await listDatabases(access)).filter(isApplicationDatabase);
}

const MARK: Record<CheckStatus, string> = { ok: '[ok]  ', warn: '[warn]', fail: '[FAIL]' };

export function formatChecklist(checks: Check[]): string[] {
  return checks.map((c) => `${MARK[c.status]} ${c.what}${c.detail ? ` — ${c.detail}` : ''}`);
}
