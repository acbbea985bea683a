/**
 * The dump of one database through the container, and what its failure means: the container
 * stopped, vanished or restarted under it, the server went away, or the dump itself failed.
 * The probe a retry waits on lives here too: the server answering again, not the container running.
 */
import type { Readable } from 'node:stream';
import { ContainerDownError, MailbackupError, TransientError } from '../errors.js';
import { containerDown, downSince, execArgs, execIn, isTransientFailure } from './container.js';
import { secrets, type DbAccess } from './mariadb.js';
import { spawnStream, streamExit, type RunResult } from './shell.js';

const DUMP_OPTIONS = [
  '--single-transaction',
  '--routines',
  '--events',
  '--triggers',
  '--hex-blob',
  '--default-character-set=utf8mb4',
];

export interface DumpChild {
  stdout: Readable;
  /** the exit, stderr as text */
  exit: Promise<RunResult>;
}

/** Starts a dump of one database; the caller streams stdout and awaits the exit. */
export function spawnDump(a: DbAccess, client: string, db: string, signal?: AbortSignal): DumpChild {
  const [file, args] = execArgs(a.target, [client, '-u', a.user, ...DUMP_OPTIONS, db], { env: ['MYSQL_PWD'] });
  const child = spawnStream(file, args, { env: secrets(a), signal });
  return { stdout: child.stdout!, exit: streamExit(child, file) };
}

/**
 * Why a dump that started at `startedMs` failed, as the error to throw: the container stopped,
 * vanished or restarted under it (retried), the server went away (retried), or anything else.
 * Our own process killed by a signal is not retried: somebody stopped it.
 */
export async function dumpFailure(a: DbAccess, db: string, r: RunResult, startedMs: number): Promise<MailbackupError> {
  const stderr = r.stderr.trim();
  const how = r.signal ? `was killed by ${r.signal}` : `exited ${r.exitCode}`;
  const msg = `${db} dump ${how}${stderr ? `: ${stderr.split('\n').slice(-3).join(' ')}` : ''}`;
  if (r.signal) return new MailbackupError(msg);
  const down = containerDown(a.target, r) ?? (isTransientFailure(stderr) ? undefined : await downSince(a.target, startedMs, stderr));
  if (down) return new ContainerDownError(`${db} dump ${how}: ${down.message}`, down.state);
  return isTransientFailure(stderr) ? new TransientError(msg) : new MailbackupError(msg);
}

/**
 * The probe a retry waits on: `mariadb-admin ping` exits 0 once the server accepts connections,
 * even when it refuses the login, so it needs no password. A running container is not enough.
 */
export async function serverAnswers(a: DbAccess): Promise<boolean> {
  for (const c of ['mariadb-admin', 'mysqladmin']) {
    const r = await execIn(a.target, [c, '--connect-timeout=5', 'ping'], { timeoutMs: 15_000 });
    if (r.exitCode !== 127) return r.exitCode === 0;
  }
  return false;
}
