/**
 * The restic adapter: restic() below is the one place restic runs (restic-commands.ts builds on
 * it), and this file reads what its failures mean. The repository URL and the password
 * file go to restic through its environment (RESTIC_REPOSITORY, RESTIC_PASSWORD_FILE), never
 * argv: a URL may carry credentials and argv is world-readable in /proc (invariant 7 of docs/invariants.md).
 * Written against Debian's restic 0.14: only flags that version has.
 */
import { readFileSync } from 'node:fs';
import type { OffsiteRepository } from '../config/schema.js';
import { ConfigError, OffsiteError } from '../errors.js';
import { run, type RunResult } from './shell.js';

export interface ResticSnapshot {
  id: string;
  short_id: string;
  time: string;
  hostname: string;
  tags?: string[];
  paths: string[];
}

export type ResticFailure = 'unreachable' | 'no-repository' | 'wrong-password' | 'locked' | 'forbidden' | 'damage' | 'other';

/** What kind of failure restic's stderr describes (0.14 wording; pure). */
export function classifyResticError(stderr: string): ResticFailure {
  if (/wrong password or no key found/i.test(stderr)) return 'wrong-password';
  if (/repository is already locked/i.test(stderr)) return 'locked';
  if (/403 Forbidden|AccessDenied|permission denied|unable to remove .* from the repository|object is WORM protected|retention/i.test(stderr)) return 'forbidden';
  if (/connection refused|no such host|i\/o timeout|network is unreachable|connection reset|EOF|TLS handshake|dial tcp|ssh command exited|Client\.Timeout/i.test(stderr)) return 'unreachable';
  if (/Is there a repository at the following location|unable to open config file|does not exist/i.test(stderr)) return 'no-repository';
  if (/Fatal: repository contains errors|error for tree|Pack ID does not match|ciphertext verification failed|pack .* contains \d+ errors/i.test(stderr)) return 'damage';
  return 'other';
}

const HINT: Record<ResticFailure, string> = {
  unreachable: 'check the network, the server and the URL',
  'no-repository': 'check the URL, or create the repository with `mailbackup offsite init`',
  'wrong-password': "check the password file: it must hold this repository's password",
  locked: 'another restic process holds the repository lock; if none runs, remove it with `restic unlock`',
  forbidden: 'the server refused to delete or write: check the credentials and whether the repository is append-only',
  damage: 'restic found damage in the repository: run `mailbackup offsite check --read-data` and see docs/offsite.md',
  other: "see restic's message above",
};

/** The URL with any password in it masked, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^/@:]+):[^/@]*@/, '//$1:***@');
}

/** The last meaningful restic line (its Fatal: line when there is one). */
function resticMessage(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l && !/^(github\.com|runtime|main\.|golang\.org)|^\s*\S+\.go:\d+$/.test(l));
  return lines.find((l) => l.startsWith('Fatal:')) ?? lines.at(-1) ?? 'no message';
}

export function resticError(repo: OffsiteRepository, what: string, r: RunResult): OffsiteError {
  const kind = classifyResticError(r.stderr);
  const err = new OffsiteError(
    `offsite repository ${repo.name} (${redactUrl(repo.url)}): ${what} failed (restic exit ${r.exitCode}): ${resticMessage(r.stderr)}; ${HINT[kind]}`,
  );
  return Object.assign(err, { kind });
}

/** KEY=VALUE lines (comments, blank lines and `export ` allowed; optional quotes). */
export function parseEnvironmentFile(text: string, file: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) throw new ConfigError(`${file} line ${i + 1}: expected KEY=VALUE`);
    env[m[1]] = m[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return env;
}

function resticEnv(repo: OffsiteRepository): Record<string, string | undefined> {
  let extra: Record<string, string> = {};
  if (repo.environmentFile) {
    let text: string;
    try {
      text = readFileSync(repo.environmentFile, 'utf8');
    } catch (err) {
      throw new ConfigError(`offsite repository ${repo.name}: cannot read environmentFile ${repo.environmentFile}: ${(err as Error).message}`);
    }
    extra = parseEnvironmentFile(text, repo.environmentFile);
  }
  return {
    ...extra,
    RESTIC_REPOSITORY: repo.url,
    RESTIC_PASSWORD_FILE: repo.passwordFile,
    // an inherited password or command would win over the file: make the file the only source
    RESTIC_PASSWORD: undefined,
    RESTIC_PASSWORD_COMMAND: undefined,
    RESTIC_REPOSITORY_FILE: undefined,
  };
}

export interface ResticRunOptions {
  cwd?: string;
  signal?: AbortSignal;
}

export async function restic(repo: OffsiteRepository, args: string[], opts: ResticRunOptions = {}): Promise<RunResult> {
  const options = Object.entries(repo.options).flatMap(([k, v]) => ['-o', `${k}=${v}`]);
  return run('restic', [...options, ...args], { cwd: opts.cwd, env: resticEnv(repo), signal: opts.signal });
}

export async function resticOk(repo: OffsiteRepository, what: string, args: string[], opts?: ResticRunOptions): Promise<RunResult> {
  const r = await restic(repo, args, opts);
  if (r.exitCode !== 0) throw resticError(repo, what, r);
  return r;
}

/** True when the repository exists and the password opens it. */
export async function repositoryExists(repo: OffsiteRepository, signal?: AbortSignal): Promise<boolean> {
  const r = await restic(repo, ['cat', 'config'], { signal });
  if (r.exitCode === 0) return true;
  if (classifyResticError(r.stderr) === 'no-repository') return false;
  throw resticError(repo, 'opening the repository', r);
}

export async function initRepository(repo: OffsiteRepository, signal?: AbortSignal): Promise<void> {
  await resticOk(repo, 'creating the repository', ['init'], { signal });
}

/** The snapshots mailbackup made (tag `mailbackup`), oldest first. */
export async function listResticSnapshots(repo: OffsiteRepository, signal?: AbortSignal): Promise<ResticSnapshot[]> {
  const r = await resticOk(repo, 'listing snapshots', ['snapshots', '--no-lock', '--json', '--tag', 'mailbackup'], { signal });
  const snaps = (JSON.parse(r.stdout || '[]') ?? []) as ResticSnapshot[];
  return snaps.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
}
