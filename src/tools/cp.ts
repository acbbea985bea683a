/**
 * `cp -a` as the copier of a whole snapshot component into a directory that does not exist yet
 * (restore all, the drill). There is nothing to merge with and nothing to replace, and cp copies
 * in the kernel (copy_file_range) where rsync pipes every byte between two processes and
 * checksums it: on the benchmark tree rsync -aHAX took about 1.5 × as long as cp -a.
 * cp -a keeps what rsync -aHAX --numeric-ids keeps: modes, ACLs (with the mode), xattrs,
 * numeric owners, times, symlinks, devices, and hardlinks within the copy.
 *
 * cp reports nothing per file, so progress is the target filesystem's used space, polled.
 */
import { existsSync, mkdirSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { InterruptedError, ToolError } from '../errors.js';
import { run } from './shell.js';

export interface FreshCopyOptions {
  signal?: AbortSignal;
  progress?: { add(files: number, bytes: number): void };
  /** what the copy holds (the snapshot's totals): the progress ends on them */
  totals?: { files: number; bytes: number };
}

// Failing to keep an ACL or xattr on a target filesystem that has none is not a failed restore:
// rsync's own fallback (rsync-restore.ts) drops -AX in that case too.
const UNSUPPORTED = /(preserving permissions|setting attributes|preserving xattr|setting permissions).*Operation not supported/;
// Not root: owners cannot be given away, which rsync without root skips silently as well.
const NOT_ROOT_OWNER = /failed to preserve ownership/;
const harmless = (line: string) => UNSUPPORTED.test(line) || (process.getuid?.() !== 0 && NOT_ROOT_OWNER.test(line));

function usedBytes(dir: string): number | undefined {
  try {
    const s = statfsSync(dir);
    return (s.blocks - s.bfree) * s.bsize;
  } catch {
    return undefined;
  }
}

/** Copies src to dst, which must not exist; its parent is created. */
export async function copyTreeFresh(src: string, dst: string, opts: FreshCopyOptions = {}): Promise<void> {
  const to = dst.replace(/\/+$/, '');
  if (existsSync(to)) throw new Error(`copyTreeFresh: ${to} exists`); // a caller's bug: never merge with cp
  mkdirSync(dirname(to), { recursive: true });
  const parent = dirname(to);
  const start = usedBytes(parent);
  let reported = 0;
  const poll = opts.progress && start !== undefined
    ? setInterval(() => {
      const now = usedBytes(parent);
      if (now === undefined) return;
      const done = Math.min(Math.max(0, now - start), opts.totals?.bytes ?? Infinity);
      if (done > reported) {
        opts.progress!.add(0, done - reported);
        reported = done;
      }
    }, 250)
    : undefined;
  let r;
  try {
    r = await run('cp', ['-a', '--', src.replace(/\/+$/, ''), to], { signal: opts.signal });
  } finally {
    if (poll) clearInterval(poll);
  }
  const errors = r.stderr.split('\n').filter((l) => l.trim() && !harmless(l));
  if (r.exitCode !== 0 && opts.signal?.aborted) throw new InterruptedError(`interrupted while copying to ${to}`);
  if (r.exitCode !== 0 && errors.length > 0) {
    throw new ToolError(`cp -a ${src} → ${to} failed (exit ${r.exitCode}): ${errors[0]}${errors.length > 1 ? ` (and ${errors.length - 1} more lines in the log file)` : ''}`, r.stderr);
  }
  if (opts.progress && opts.totals) opts.progress.add(opts.totals.files, Math.max(0, opts.totals.bytes - reported));
}
