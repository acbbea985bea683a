/**
 * `unlock [--yes]`: remove the destination lock, reader locks and rotations' deletion intents
 * (all under .readers/) that a run cannot take over by itself: those written on another machine
 * (a disk moved between servers). Shows each holder
 * and why it is judged gone or unjudgeable, then asks (a terminal prompt, or --yes).
 * Exit status: 0 removed or nothing to remove; 64 not confirmed; 75 the holder is a mailbackup
 * run alive on this machine (wait for it, or stop it first).
 */
import type { Context } from '../cli/context.js';
import { ExitCode, LockHeldError } from '../errors.js';
import { openDestination } from '../repository/destination.js';
import { describeHolder } from '../repository/holder.js';
import { lockVerdict, readLock, removeLock } from '../repository/lock.js';
import { listIntents } from '../repository/deletion-intent.js';
import { judgeReaders } from '../repository/readers.js';
import { confirm } from '../restore/guard.js';
import { unlinkSync } from 'node:fs';

export default async function unlock(ctx: Context, opts: { yes?: boolean }): Promise<number> {
  const config = ctx.config();
  const dest = await openDestination(config, 'check', { command: 'unlock' });
  const root = dest.root;
  const log = ctx.runLog().log;
  const lock = readLock(root);
  const verdict = lock ? lockVerdict(lock) : undefined;
  if (lock && verdict?.kind === 'live') {
    throw new LockHeldError(`${describeHolder(lock)} is a mailbackup run alive on this machine: wait for it to finish, or stop it (kill ${lock.pid}) first`);
  }
  const readers = judgeReaders(root).filter((r) => r.verdict.kind !== 'live');
  const intents = listIntents(root).filter((i) => i.verdict.kind !== 'live');
  const lines: string[] = [];
  if (lock && verdict && verdict.kind !== 'live') lines.push(`lock: ${describeHolder(lock)}: ${verdict.reason}`);
  for (const r of readers) {
    const why = r.verdict.kind === 'live' ? '' : r.verdict.reason;
    lines.push(`reader: ${r.record ? `${describeHolder(r.record)} holding ${r.record.snapshots.join(', ') || 'nothing'}` : r.file}: ${why}`);
  }
  for (const i of intents) {
    const why = i.verdict.kind === 'live' ? '' : i.verdict.reason;
    lines.push(`deletion intent: ${i.record ? `${describeHolder(i.record)} deleting ${i.id}` : i.file}: ${why}`);
  }
  if (!lines.length) {
    ctx.result({ removed: [] }, 'no lock to remove: no run holds the destination');
    return ExitCode.OK;
  }
  process.stderr.write(lines.join('\n') + '\n');
  await confirm(`remove ${lines.length === 1 ? 'this lock' : `these ${lines.length} locks`} (make sure no mailbackup run uses ${root} on ${lock?.host ?? 'another machine'})`, opts.yes);
  const removed: string[] = [];
  if (lock && verdict?.kind !== 'live') {
    if (!removeLock(root, lock)) throw new LockHeldError('the lock changed while you were asked (another run took it): run `mailbackup unlock` again');
    removed.push(describeHolder(lock));
  }
  for (const r of [...readers, ...intents]) {
    try {
      unlinkSync(r.file);
      removed.push(r.record ? describeHolder(r.record) : r.file);
    } catch {
      /* the reader (or rotation) finished meanwhile */
    }
  }
  log.warn({ removed }, 'locks removed by hand');
  ctx.result({ removed }, removed.map((r) => `removed the lock of ${r}`));
  return ExitCode.OK;
}
