/**
 * `rotate [--dry-run]`: apply retention by hand. Takes the lock itself (the backup pipeline
 * calls runRotation while it already holds it) and refuses to delete after a failed backup.
 */
import type { Context } from '../cli/context.js';
import { ExitCode } from '../errors.js';
import { acquireLock } from '../repository/lock.js';
import { checkDestination } from '../repository/marker.js';
import { formatRotation, runRotation } from '../repository/rotate.js';
import { readLastBackup } from '../repository/state.js';

/** A last backup that ended in failure (not warnings, not "lock held") blocks every deletion. */
function lastRunBlocker(root: string): string | undefined {
  const last = readLastBackup(root);
  if (!last || last.exitCode === ExitCode.OK || last.exitCode === ExitCode.WARNING || last.exitCode === ExitCode.LOCKED) {
    return undefined;
  }
  return `the last backup (${last.finishedAt}) failed with exit ${last.exitCode}: nothing is deleted until a backup succeeds`;
}

export default async function rotate(ctx: Context, opts: { dryRun?: boolean }): Promise<number> {
  const config = ctx.config();
  const root = config.destination.root;
  checkDestination(root, config.destination.requireMountpoint);
  const log = ctx.runLog().log;
  const blocker = lastRunBlocker(root);
  const dryRun = Boolean(opts.dryRun) || Boolean(blocker);
  const lock = dryRun ? undefined : await acquireLock(root, { command: 'rotate' });
  try {
    if (lock?.tookOverFrom) log.warn({ stale: lock.tookOverFrom }, 'took over a stale lock');
    const report = await runRotation({ root, retention: config.retention, log, dryRun, signal: ctx.signal });
    if (blocker) {
      const refusedKeep = report.plan.delete.map((d) => ({ id: d.id, reason: `${d.reason} — deletion refused` }));
      report.plan = { keep: [...report.plan.keep, ...refusedKeep], delete: [], refused: blocker };
      report.refused = blocker;
      log.warn({ reason: blocker }, 'rotation deletes nothing');
    }
    ctx.result(report, formatRotation(report));
    return report.refused ? ExitCode.WARNING : ExitCode.OK;
  } finally {
    lock?.release();
  }
}
