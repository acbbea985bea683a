/**
 * Watches the destination while a command writes to it. The disk can go away mid-run (a USB
 * reset, a lazy unmount): the path then names a directory on the root filesystem, and a write
 * that creates directories would fill it with a copy of the mail store. The filesystem can also
 * turn read-only or record an error. Each is a fault: the guard aborts the run's signal with a
 * DiskFaultError, so running programs are stopped at once and nothing more is written.
 */
import { statSync, type Stats } from 'node:fs';
import { DiskFaultError } from '../errors.js';
import { diskHealth, repairAdvice, type DiskHealth } from './disk-health.js';
import { layout } from './layout.js';

export interface DestinationGuard {
  /** aborted with the fault when one is seen (combined with the caller's signal) */
  signal: AbortSignal;
  /** the fault seen, if any */
  fault(): DiskFaultError | undefined;
  /** looks now; throws the fault (before promoting, before writing state) */
  check(): void;
  /** health at the start, for the report */
  initial: DiskHealth;
  stop(): void;
}

const same = (a: Stats, b: Stats) => a.dev === b.dev && a.ino === b.ino;

/** What is wrong now, or undefined. Pure over what was seen at the start and now. */
export function faultNow(root: string, start: { root: Stats; marker: Stats; health: DiskHealth }, now: { root?: Stats; marker?: Stats; health: DiskHealth }): string | undefined {
  if (!now.root || !now.marker || !same(start.root, now.root) || !same(start.marker, now.marker)) {
    return `destination ${root} went away during the run (the backup disk was unmounted, unplugged or reset): nothing more is written; check \`dmesg\` and the cable, mount the disk again and run the backup`;
  }
  const dev = now.health.mount?.source ?? start.health.mount?.source ?? 'the backup disk';
  const todo = `nothing of this run counts; ${repairAdvice(now.health.mount?.source ?? start.health.mount?.source)}`;
  if (now.health.readOnly && !start.health.readOnly) return `the backup disk ${dev} turned read-only during the run (a filesystem error): ${todo}`;
  if ((now.health.errorCount ?? 0) > (start.health.errorCount ?? 0)) return `the filesystem on the backup disk ${dev} recorded an error during the run: ${todo}`;
  return undefined;
}

const statOrUndefined = (p: string) => statSync(p, { throwIfNoEntry: false });

export function guardDestination(root: string, opts: { signal?: AbortSignal; intervalMs?: number } = {}): DestinationGuard {
  const start = { root: statSync(root), marker: statSync(layout.marker(root)), health: diskHealth(root) };
  const controller = new AbortController();
  let seen: DiskFaultError | undefined;
  const look = () => {
    if (seen) return;
    let now;
    try {
      now = { root: statOrUndefined(root), marker: statOrUndefined(layout.marker(root)), health: diskHealth(root) };
    } catch {
      now = { health: { readOnly: false } }; // an I/O error on stat: the disk is gone too
    }
    const problem = faultNow(root, start, now);
    if (problem) {
      seen = new DiskFaultError(problem);
      controller.abort(seen);
    }
  };
  const timer = setInterval(look, opts.intervalMs ?? 500);
  timer.unref();
  return {
    signal: opts.signal ? AbortSignal.any([opts.signal, controller.signal]) : controller.signal,
    fault: () => seen,
    check() {
      look();
      if (seen) throw seen;
    },
    initial: start.health,
    stop: () => clearInterval(timer),
  };
}
