/**
 * One writer at a time (invariant 6). The lock file is created with O_EXCL before anything
 * else is written. A lock left by a dead process on this host is taken over with a warning;
 * a live holder gives LockHeldError (exit 75), or is waited for when the caller asks to.
 */
import { hostname } from 'node:os';
import { openSync, closeSync, readFileSync, unlinkSync, writeSync, fsyncSync } from 'node:fs';
import { LockHeldError } from '../errors.js';
import { layout } from './layout.js';

export interface LockInfo {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
}

export interface Lock {
  info: LockInfo;
  /** set when a stale lock was taken over */
  tookOverFrom?: LockInfo;
  release(): void;
}

export function readLock(root: string): LockInfo | undefined {
  try {
    return JSON.parse(readFileSync(layout.lock(root), 'utf8')) as LockInfo;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A lock whose holder is provably gone: same host, dead pid. */
export function isStale(info: LockInfo | undefined): boolean {
  if (!info) return true; // unreadable or half-written: its writer died before finishing
  return info.host === hostname() && !isAlive(info.pid);
}

function tryCreate(path: string, info: LockInfo): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, JSON.stringify(info) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

export interface AcquireOptions {
  command: string;
  /** wait this long for a live holder to finish (weekly waits for daily); 0 = fail at once */
  waitMs?: number;
  pollMs?: number;
  onWait?: (holder: LockInfo) => void;
}

export async function acquireLock(root: string, opts: AcquireOptions): Promise<Lock> {
  const path = layout.lock(root);
  const info: LockInfo = { pid: process.pid, host: hostname(), command: opts.command, startedAt: new Date().toISOString() };
  const deadline = Date.now() + (opts.waitMs ?? 0);
  let tookOverFrom: LockInfo | undefined;
  let waited = false;
  for (;;) {
    if (tryCreate(path, info)) break;
    const holder = readLock(root);
    if (isStale(holder)) {
      // Remove and retry with O_EXCL, so two processes taking over the same stale lock cannot both win.
      tookOverFrom = holder ?? { pid: 0, host: 'unknown', command: 'unknown', startedAt: 'unknown' };
      try {
        unlinkSync(path);
      } catch {
        /* someone else removed it first */
      }
      continue;
    }
    if (Date.now() >= deadline) {
      throw new LockHeldError(
        `another mailbackup run holds ${path}: pid ${holder!.pid} on ${holder!.host}, \`${holder!.command}\` since ${holder!.startedAt}; ` +
          'wait for it to finish (check with `mailbackup status`), or remove the file if that process is really gone',
      );
    }
    if (!waited) opts.onWait?.(holder!);
    waited = true;
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 2000));
  }
  return {
    info,
    tookOverFrom,
    release() {
      const cur = readLock(root);
      if (cur && cur.pid === info.pid && cur.host === info.host && cur.startedAt === info.startedAt) {
        unlinkSync(path);
      }
    },
  };
}
