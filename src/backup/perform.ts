/**
 * The whole `backup` command around one run: preflight (marker before anything is written),
 * lock, the run (or the weekly clone), rotation after success only, and the reporting every
 * run gets whatever happened: last-run state, log pruning, mail, ping.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { DiskFaultError, ExitCode, MailbackupError, errorMessage } from '../errors.js';
import { inPhase, NO_PROGRESS, type Progress } from '../log/progress.js';
import { diskWarning, ping } from '../notify/index.js';
import { snapshotId, type SnapshotRef } from '../repository/layout.js';
import { checkedDestination, lockDestination } from '../repository/destination.js';
import type { LockInfo } from '../repository/lock.js';
import type { BackupMeta } from '../repository/metadata.js';
import { runRotation, type RotationReport } from '../repository/rotate.js';
import { isOk, listSnapshots, readLatest } from '../repository/snapshots.js';
import { leftByFinishedRun, readNewestLastBackup, type LastRun } from '../repository/state.js';
import { guardDestination, type DestinationGuard } from '../repository/guard.js';
import { checkDiskHealth, diskFaultOf } from './disk-checks.js';
import { flushDestination } from '../repository/flush.js';
import { pushAfterBackup } from '../offsite/after-backup.js';
import { checkFreeSpace, checkTools } from './preflight.js';
import { latestTarget, type PromoteOutcome } from './promote.js';
import { reportRun, type RunFacts } from './report-run.js';
import { runBackup, type Failure } from './run-backup.js';
import { cloneToWeekly } from './weekly.js';

export interface BackupReport {
  exitCode: number;
  snapshot: string;
  status: 'ok' | 'failed' | 'not-run';
  outcome?: PromoteOutcome;
  meta?: BackupMeta;
  failures: Failure[];
  warnings: string[];
  rotation?: RotationReport;
  latest?: string;
  /** the error that stopped the run before or outside the snapshot (its exit code wins) */
  error?: MailbackupError;
}

export interface PerformOptions {
  log: Logger;
  lines: string[];
  runId: string;
  rotate: boolean;
  /** the JSON log file, named when an internal error's stack went there */
  logFile?: string;
  /** take over a lock written on another machine */
  forceUnlock?: boolean;
  signal?: AbortSignal;
  progress?: Progress;
}

/** What the steps below learn as the run goes: whether the destination passed, its guard, the last run. */
interface RunContext extends RunFacts {
  guard?: DestinationGuard;
  last?: LastRun;
}

export async function performBackup(config: Config, ref: SnapshotRef, o: PerformOptions): Promise<BackupReport> {
  const { log } = o;
  const root = config.destination.root;
  const ctx: RunContext = { root, command: ref.kind === 'weekly' ? 'backup --weekly' : 'backup', startedAt: new Date().toISOString(), destinationOk: false };
  const report: BackupReport = { exitCode: 0, snapshot: snapshotId(ref), status: 'not-run', failures: [], warnings: [] };
  await ping(config, 'start', log);
  try {
    await preflightAndRun(config, ref, o, ctx, report);
  } catch (caught) {
    recordStop(report, caught, ctx, o);
  }
  ctx.guard?.stop();
  const fault = ctx.guard?.fault();
  if (fault && !(report.error instanceof DiskFaultError)) {
    // components failed first (EROFS from rsync …); the cause is the disk, and the exit says so
    report.error = fault;
    report.failures.push({ step: 'disk', error: fault.message });
    log.error({ err: fault.message }, 'backup stopped: the backup disk failed');
  }
  report.exitCode = exitCodeOf(report);
  report.latest = ctx.destinationOk ? readLatest(root) : undefined;
  const how = report.exitCode === ExitCode.OK ? 'ok' : report.exitCode === ExitCode.WARNING ? `ok with ${report.warnings.length} warning(s)` : `failed (exit ${report.exitCode})`;
  log.info({ exitCode: report.exitCode, status: report.status, failures: report.failures.length, warnings: report.warnings.length }, `backup finished: ${how}`);
  await reportRun(config, report, ctx, o, fault !== undefined);
  return report;
}

/** Preflight (marker before anything is written), the lock, the run, then the flush and the disk-usage warning. */
async function preflightAndRun(config: Config, ref: SnapshotRef, o: PerformOptions, ctx: RunContext, report: BackupReport): Promise<void> {
  const { log } = o;
  const { root } = ctx;
  const { marker } = checkedDestination(config); // invariant 4 of docs/invariants.md: nothing is written before this passes
  ctx.destinationOk = true;
  ctx.last = readNewestLastBackup(root, config.log.dir);
  report.warnings.push(...checkDiskHealth(root, log));
  await checkTools();
  const dest = await lockDestination(root, marker, 'exclusive', {
    command: ctx.command,
    waitMs: ref.kind === 'weekly' ? 6 * 3600_000 : 0, // the weekly run waits for the daily
    onWait: (h: LockInfo) => log.info({ holder: h }, 'waiting for the running backup to finish'),
    forceUnlock: o.forceUnlock,
  });
  const guard = (ctx.guard = guardDestination(root, { signal: o.signal }));
  try {
    const last = ctx.last;
    if (dest.takeover && leftByFinishedRun(dest.lock?.tookOverFrom, last)) {
      log.info({ stale: dest.lock?.tookOverFrom }, `took over the lock the failed run of ${last!.startedAt} could not remove (the disk failed under it)`);
    } else if (dest.takeover) {
      report.warnings.push(dest.takeover);
      log.warn({ stale: dest.lock?.tookOverFrom }, dest.takeover);
    }
    await runLocked(config, ref, o, ctx, report);
  } finally {
    dest.release();
  }
  // the renames of promotion and rotation, `latest` and the released lock on the device too
  await flushDestination(root, `the run's last changes (${report.snapshot}, latest, rotation)`, guard, guard.signal);
  const disk = diskWarning(config, root);
  if (disk) {
    report.warnings.push(disk);
    log.warn({ step: 'disk' }, disk);
  }
}

/** Under the lock: the run (or the weekly clone of today's daily), then rotation and the offsite push after success only. */
async function runLocked(config: Config, ref: SnapshotRef, o: PerformOptions, ctx: RunContext, report: BackupReport): Promise<void> {
  const { log } = o;
  const { root } = ctx;
  const guard = ctx.guard!;
  const signal = guard.signal;
  const snaps = listSnapshots(root);
  const daily = snaps.find((s) => s.kind === 'daily' && s.date === ref.date && isOk(s));
  if (ref.kind === 'weekly' && daily?.meta) {
    const w = await inPhase(o.progress ?? NO_PROGRESS, `clone ${daily.id}`, undefined, () =>
      cloneToWeekly(root, { ...daily, meta: daily.meta! }, log.child({ step: 'weekly' }), signal, guard));
    Object.assign(report, { meta: w.meta, outcome: w.outcome, status: 'ok' });
  } else {
    const prev = latestTarget(snaps);
    checkFreeSpace(root, prev);
    const run = await runBackup(config, ref, prev, log, o.lines, signal, o.progress, guard, { discardPartial: ctx.last?.diskFault === true });
    report.failures.push(...run.failures);
    report.warnings.push(...run.meta.warnings);
    Object.assign(report, { meta: run.meta, outcome: run.outcome, status: run.meta.status });
  }
  if (report.status === 'ok' && o.rotate) {
    report.rotation = await runRotation({ root, retention: config.retention, log: log.child({ step: 'rotate' }), signal, progress: o.progress });
  }
  if (report.status === 'ok') report.warnings.push(...(await pushAfterBackup(config, ref.kind, report.snapshot, log, signal)));
}

/** What stopped the run before or outside the snapshot, as the error whose exit code wins. */
function recordStop(report: BackupReport, caught: unknown, ctx: RunContext, o: PerformOptions): void {
  const { log } = o;
  // a failing disk shows up as whatever broke first (EROFS from rsync, EIO from a write): name the disk
  const err = diskFaultOf(caught, ctx.root, ctx.guard);
  // an exception no failure class foresaw is a bug: the run failed (2), the stack goes to the log
  if (!(err instanceof MailbackupError)) log.fatal({ stack: err instanceof Error ? err.stack : String(err), terminal: false }, 'internal error');
  const e = err instanceof MailbackupError
    ? err
    : new MailbackupError(`internal error (this is a bug in mailbackup, please report it): ${errorMessage(err)}; the stack trace is in ${o.logFile ?? 'the log'}`);
  report.error = e;
  report.failures.push({ step: e instanceof DiskFaultError ? 'disk' : report.meta ? 'finish' : 'preflight', error: e.message });
  log.error({ err: e.message, exitCode: e.exitCode }, 'backup stopped');
}

function exitCodeOf(report: BackupReport): number {
  if (report.error) return report.error.exitCode;
  if (report.failures.length || report.status !== 'ok') return ExitCode.FAILED;
  return report.warnings.length ? ExitCode.WARNING : ExitCode.OK;
}
