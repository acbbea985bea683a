/**
 * `mailbackup backup [--weekly] [--date D] [--dry-run] [--no-rotate]`
 * Exit status: 0 snapshot ok; 1 ok with warnings (vanished files, disk filling, stale lock taken
 * over); 2 failed (the snapshot is marked failed and `latest` did not move, or nothing was
 * written because the destination is not there); 75 another run holds the lock (or a lock from
 * another machine: --force-unlock or `mailbackup unlock`); 78 bad config;
 * 130 interrupted (the .partial stays and the next run reuses it).
 */
import type { Context } from '../cli/context.js';
import { ExitCode, UsageError } from '../errors.js';
import { describeBackupPlan } from '../backup/dry-run.js';
import { performBackup } from '../backup/perform.js';
import { formatBackupReport } from '../backup/report.js';
import { isSnapshotDate, localDate, type SnapshotRef } from '../repository/layout.js';

export default async function backup(
  ctx: Context,
  opts: { weekly?: boolean; date?: string; dryRun?: boolean; rotate?: boolean; forceUnlock?: boolean },
): Promise<number> {
  if (opts.date !== undefined && !isSnapshotDate(opts.date)) {
    throw new UsageError(`--date ${opts.date} is not a calendar date YYYY-MM-DD`);
  }
  const config = ctx.config();
  const ref: SnapshotRef = { kind: opts.weekly ? 'weekly' : 'daily', date: opts.date ?? localDate() };
  if (opts.dryRun) {
    const plan = describeBackupPlan(config, ref);
    ctx.result(plan, plan.lines);
    return ExitCode.OK;
  }
  const { log, lines, runId, file: logFile } = ctx.runLog();
  const report = await performBackup(config, ref, { log, lines, runId, rotate: opts.rotate !== false, forceUnlock: opts.forceUnlock, logFile, signal: ctx.signal, progress: ctx.progress() });
  const { error, ...data } = report;
  ctx.result({ ...data, error: error?.message }, formatBackupReport(report));
  // lock held (75), bad config (78), interrupted (130): main prints the message and maps the code
  if (error && error.exitCode !== ExitCode.FAILED) throw error;
  return report.exitCode;
}
