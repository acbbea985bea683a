/**
 * One writer at a time (invariant 6 of docs/invariants.md). The lock file is created with O_EXCL before anything
 * else is written. A lock whose holder is provably gone (holder.ts: an earlier boot, a gone,
 * zombie or reused pid, a pid that is no mailbackup run) is taken over with a warning naming
 * it; a live holder gives LockHeldError (exit 75), or is waited for when the caller asks to.
 * A lock written on another machine is never taken over unless the caller says so
 * (`--force-unlock`, `mailbackup unlock`).
 */
import { openSync, closeSync, linkSync, readFileSync, renameSync, statSync, unlinkSync, writeSync, fsyncSync } from 'node:fs';
import { LockHeldError } from '../errors.js';
import { describeHolder, judge, selfRecord, type HolderRecord, type Verdict } from './holder.js';
import { layout } from './layout.js';

export type LockInfo = HolderRecord;

export interface Lock {
  info: LockInfo;
  /** set when a stale (or, forced, a foreign) lock was taken over */
  tookOverFrom?: LockInfo;
  /** why that lock could be taken over */
  tookOverReason?: string;
  release(): void;
}

export function readLock(root: string): LockInfo | undefined {
  return parseLock(layout.lock(root));
}

function parseLock(path: string): LockInfo | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
  } catch {
    return undefined;
  }
}

/** A lock file just created and not yet written is its writer's, not a dead one's. */
function justCreated(path: string): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs < 5000;
  } catch {
    return false;
  }
}

/**
 * Removes the lock judged stale, and only that one: two runs started together after a reboot
 * (systemd catching up on missed timers) both judge the same stale lock, and the slower one must
 * not remove the lock the faster one has just created. The file is renamed away first and
 * compared; a fresh lock renamed by mistake is put back (link() never replaces a newer one).
 */
function removeStale(path: string, judged: LockInfo | undefined): void {
  const aside = `${path}.stale.${process.pid}`;
  try {
    renameSync(path, aside);
  } catch (err) {
    // someone else removed it first; any other error (EROFS on a failed disk) would loop forever
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const got = parseLock(aside);
  if (got && JSON.stringify(got) !== JSON.stringify(judged)) {
    try {
      linkSync(aside, path);
    } catch {
      /* another run has created a lock meanwhile: that one stands */
    }
  }
  unlinkSync(aside);
}

/** An unreadable or half-written lock: its writer died before finishing. */
export function lockVerdict(info: LockInfo | undefined): Verdict {
  return info ? judge(info) : { kind: 'stale', reason: 'the lock file is unreadable (its writer died while writing it)' };
}

/** The warning a takeover gives: who held it and why that holder is gone. */
export function takeoverWarning(lock: Lock): string | undefined {
  const t = lock.tookOverFrom;
  if (!t) return undefined;
  return `took over a stale lock of ${describeHolder(t)}: ${lock.tookOverReason}`;
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
  /** take over a lock written on another machine (`--force-unlock`) */
  forceUnlock?: boolean;
}

function foreignMessage(path: string, holder: LockInfo, reason: string): string {
  return (
    `${path} is held by ${describeHolder(holder)}: ${reason}. A lock from another machine is never taken over ` +
    'silently (the disk may be in use there); if no mailbackup runs there on this disk, run `mailbackup unlock` ' +
    '(it shows the holder and asks), or pass --force-unlock'
  );
}

export async function acquireLock(root: string, opts: AcquireOptions): Promise<Lock> {
  const path = layout.lock(root);
  const info = selfRecord(opts.command);
  const deadline = Date.now() + (opts.waitMs ?? 0);
  let tookOverFrom: LockInfo | undefined;
  let tookOverReason: string | undefined;
  let waited = false;
  for (;;) {
    if (tryCreate(path, info)) break;
    const holder = readLock(root);
    if (!holder && justCreated(path)) {
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    const verdict = lockVerdict(holder);
    if (verdict.kind === 'foreign' && !opts.forceUnlock) throw new LockHeldError(foreignMessage(path, holder!, verdict.reason));
    if (verdict.kind !== 'live') {
      // Remove and retry with O_EXCL, so two processes taking over the same stale lock cannot both win.
      tookOverFrom = holder ?? { pid: 0, host: 'unknown', command: 'unknown', startedAt: 'unknown' };
      tookOverReason = verdict.reason;
      removeStale(path, holder);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new LockHeldError(
        `another mailbackup run holds ${path}: ${describeHolder(holder!)}; ` +
          'wait for it to finish (check with `mailbackup status`)',
      );
    }
    if (!waited) opts.onWait?.(holder!);
    waited = true;
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 2000));
  }
  return {
    info,
    tookOverFrom,
    tookOverReason,
    release() {
      const cur = readLock(root);
      if (cur && cur.pid === info.pid && cur.host === info.host && cur.startedAt === info.startedAt) {
        unlinkSync(path);
      }
    },
  };
}

/** `mailbackup unlock`: remove the lock, but only the very one the admin was shown. */
export function removeLock(root: string, shown: LockInfo): boolean {
  const cur = readLock(root);
  if (!cur || JSON.stringify(cur) !== JSON.stringify(shown)) return false;
  unlinkSync(layout.lock(root));
  return true;
}
