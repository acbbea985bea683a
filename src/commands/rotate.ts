/**
 * `rotate [--dry-run]`: apply retention by hand. Takes the lock itself (the backup pipeline
 * calls runRotation while it already holds it) and refuses to delete after a failed backup.
 */
import type { Context } from '../cli/context.js';
import { ExitCode } from '../errors.js';
import { checkedDestination, lockDestination } from '../repository/destination.js';
import { formatRotation, runRotation } from '../repository/rotate.js';
import { readNewestLastBackup } from '../repository/state.js';

/** A last backup that ended in failure (not warnings, not "lock held") blocks every deletion. */
function lastRunBlocker(root: string, logDir: string): string | undefined {
  const last = readNewestLastBackup(root, logDir); // a run the failing disk could not record counts too
  if (!last || last.exitCode === ExitCode.OK || last.exitCode === ExitCode.WARNING || last.exitCode === ExitCode.LOCKED) {
    return undefined;
  }
  return `the last backup (${last.finishedAt}) failed with exit ${last.exitCode}: nothing is deleted until a backup succeeds`;
}

export default async function rotate(ctx: Context, opts: { dryRun?: boolean; forceUnlock?: boolean }): Promise<number> {
  const config = ctx.config();
  const { root, marker } = checkedDestination(config);
  const log = ctx.runLog().log;
  const blocker = lastRunBlocker(root, config.log.dir);
  const dryRun = Boolean(opts.dryRun) || Boolean(blocker);
  const dest = await lockDestination(root, marker, dryRun ? 'check' : 'exclusive', { command: 'rotate', forceUnlock: opts.forceUnlock });
  try {
    if (dest.takeover) log.warn({ stale: dest.lock?.tookOverFrom }, dest.takeover);
    const report = await runRotation({ root, retention: config.retention, log, dryRun, signal: ctx.signal, progress: ctx.progress() });
    if (blocker) {
      const refusedKeep = report.plan.delete.map((d) => ({ id: d.id, reason: `${d.reason} — deletion refused` }));
      report.plan = { keep: [...report.plan.keep, ...refusedKeep], delete: [], refused: blocker };
      report.refused = blocker;
      log.warn({ reason: blocker }, 'rotation deletes nothing');
    }
    ctx.result(report, formatRotation(report));
    return report.refused || dest.takeover ? ExitCode.WARNING : ExitCode.OK;
  } finally {
    dest.release();
  }
}
