/**
 * The whole `backup` command around one run: preflight (marker before anything is written),
 * lock, the run (or the weekly clone), rotation after success only, and the reporting every
 * run gets whatever happened: last-run state, log pruning, mail, ping.
 */
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { DiskFaultError, ExitCode, MailbackupError, errorMessage } from '../errors.js';
import { pruneLogs } from '../log/retention.js';
import { inPhase, NO_PROGRESS, type Progress } from '../log/progress.js';
import { diskWarning, notifyRun, ping } from '../notify/index.js';
import { snapshotId, type SnapshotRef } from '../repository/layout.js';
import { checkedDestination, lockDestination } from '../repository/destination.js';
import type { LockInfo } from '../repository/lock.js';
import type { BackupMeta } from '../repository/metadata.js';
import { runRotation, type RotationReport } from '../repository/rotate.js';
import { isOk, listSnapshots, readLatest } from '../repository/snapshots.js';
import { leftByFinishedRun, readNewestLastBackup, writeLastBackup, writeLocalLastBackup, type LastRun } from '../repository/state.js';
import { guardDestination, type DestinationGuard } from '../repository/guard.js';
import { checkDiskHealth, diskFaultOf } from './disk-checks.js';
import { flushDestination } from '../repository/flush.js';
import { pushAfterBackup } from '../offsite/after-backup.js';
import { checkFreeSpace, checkTools } from './preflight.js';
import { latestTarget, type PromoteOutcome } from './promote.js';
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

export async function performBackup(config: Config, ref: SnapshotRef, o: PerformOptions): Promise<BackupReport> {
  const { log } = o;
  const root = config.destination.root;
  const command = ref.kind === 'weekly' ? 'backup --weekly' : 'backup';
  const startedAt = new Date().toISOString();
  const report: BackupReport = { exitCode: 0, snapshot: snapshotId(ref), status: 'not-run', failures: [], warnings: [] };
  let destinationOk = false;
  let guard: DestinationGuard | undefined;
  let last: LastRun | undefined;
  await ping(config, 'start', log);
  try {
    const { marker } = checkedDestination(config); // invariant 4 of docs/invariants.md: nothing is written before this passes
    destinationOk = true;
    last = readNewestLastBackup(root, config.log.dir);
    report.warnings.push(...checkDiskHealth(root, log));
    await checkTools();
    const dest = await lockDestination(root, marker, 'exclusive', {
      command,
      waitMs: ref.kind === 'weekly' ? 6 * 3600_000 : 0, // the weekly run waits for the daily
      onWait: (h: LockInfo) => log.info({ holder: h }, 'waiting for the running backup to finish'),
      forceUnlock: o.forceUnlock,
    });
    guard = guardDestination(root, { signal: o.signal });
    const signal = guard.signal;
    try {
      if (dest.takeover && leftByFinishedRun(dest.lock?.tookOverFrom, last)) {
        log.info({ stale: dest.lock?.tookOverFrom }, `took over the lock the failed run of ${last!.startedAt} could not remove (the disk failed under it)`);
      } else if (dest.takeover) {
        report.warnings.push(dest.takeover);
        log.warn({ stale: dest.lock?.tookOverFrom }, dest.takeover);
      }
      await takeSnapshot(config, ref, report, { last, guard }, o);
      if (report.status === 'ok' && o.rotate) {
        report.rotation = await runRotation({ root, retention: config.retention, log: log.child({ step: 'rotate' }), signal, progress: o.progress });
      }
      if (report.status === 'ok') report.warnings.push(...(await pushAfterBackup(config, ref.kind, report.snapshot, log, signal)));
    } finally {
      dest.release();
    }
    // the renames of promotion and rotation, `latest` and the released lock on the device too
    await flushDestination(root, `the run's last changes (${report.snapshot}, latest, rotation)`, guard, signal);
    warnDiskUsage(config, report, log);
  } catch (caught) {
    // a failing disk shows up as whatever broke first (EROFS from rsync, EIO from a write): name the disk
    recordStop(report, diskFaultOf(caught, root, guard), o);
  }
  guard?.stop();
  const fault = guard?.fault();
  if (fault && !(report.error instanceof DiskFaultError)) {
    // components failed first (EROFS from rsync …); the cause is the disk, and the exit says so
    report.error = fault;
    report.failures.push({ step: 'disk', error: fault.message });
    log.error({ err: fault.message }, 'backup stopped: the backup disk failed');
  }
  report.exitCode = exitCodeOf(report);
  report.latest = destinationOk ? readLatest(root) : undefined;
  const how = report.exitCode === ExitCode.OK ? 'ok' : report.exitCode === ExitCode.WARNING ? `ok with ${report.warnings.length} warning(s)` : `failed (exit ${report.exitCode})`;
  log.info({ exitCode: report.exitCode, status: report.status, failures: report.failures.length, warnings: report.warnings.length }, `backup finished: ${how}`);

  await announceRun(config, report, { command, runId: o.runId, startedAt, destinationOk, diskFailed: Boolean(fault) }, o);
  return report;
}

/** The snapshot itself: the weekly as a clone of today's ok daily, else a new run against the latest. */
async function takeSnapshot(config: Config, ref: SnapshotRef, report: BackupReport, at: { last?: LastRun; guard: DestinationGuard }, o: PerformOptions): Promise<void> {
  const { log } = o;
  const { guard } = at;
  const { signal } = guard;
  const root = config.destination.root;
  const snaps = listSnapshots(root);
  const daily = snaps.find((s) => s.kind === 'daily' && s.date === ref.date && isOk(s));
  if (ref.kind === 'weekly' && daily?.meta) {
    const w = await inPhase(o.progress ?? NO_PROGRESS, `clone ${daily.id}`, undefined, () =>
      cloneToWeekly(root, { ...daily, meta: daily.meta! }, log.child({ step: 'weekly' }), signal, guard));
    Object.assign(report, { meta: w.meta, outcome: w.outcome, status: 'ok' });
  } else {
    const prev = latestTarget(snaps);
    checkFreeSpace(root, prev);
    const run = await runBackup(config, ref, prev, log, o.lines, signal, o.progress, guard, { discardPartial: at.last?.diskFault === true });
    report.failures.push(...run.failures);
    report.warnings.push(...run.meta.warnings);
    Object.assign(report, { meta: run.meta, outcome: run.outcome, status: run.meta.status });
  }
}

function warnDiskUsage(config: Config, report: BackupReport, log: Logger): void {
  const disk = diskWarning(config, config.destination.root);
  if (!disk) return;
  report.warnings.push(disk);
  log.warn({ step: 'disk' }, disk);
}

/** Why the run stopped, into the report; an exception no failure class foresaw is a bug (exit 2, stack in the log). */
function recordStop(report: BackupReport, err: unknown, o: PerformOptions): void {
  if (!(err instanceof MailbackupError)) o.log.fatal({ stack: err instanceof Error ? err.stack : String(err), terminal: false }, 'internal error');
  const e = err instanceof MailbackupError
    ? err
    : new MailbackupError(`internal error (this is a bug in mailbackup, please report it): ${errorMessage(err)}; the stack trace is in ${o.logFile ?? 'the log'}`);
  report.error = e;
  report.failures.push({ step: e instanceof DiskFaultError ? 'disk' : report.meta ? 'finish' : 'preflight', error: e.message });
  o.log.error({ err: e.message, exitCode: e.exitCode }, 'backup stopped');
}

/** The run's exit status: its error's, else failed, warnings or ok. */
function exitCodeOf(report: BackupReport): number {
  if (report.error) return report.error.exitCode;
  if (report.failures.length || report.status !== 'ok') return ExitCode.FAILED;
  return report.warnings.length ? ExitCode.WARNING : ExitCode.OK;
}

/** After the run: its record, old logs pruned, the mail and the finishing ping. */
async function announceRun(
  config: Config,
  report: BackupReport,
  r: { command: string; runId: string; startedAt: string; destinationOk: boolean; diskFailed: boolean },
  o: PerformOptions,
): Promise<void> {
  const { log } = o;
  const root = config.destination.root;
  recordRun(config, report, r, log);
  try {
    pruneLogs(config.log.dir, config.log.retentionDays);
  } catch (err) {
    log.warn({ err: errorMessage(err) }, 'could not prune old log files');
  }
  const latestSnap = r.destinationOk && report.latest && !r.diskFailed ? listSnapshots(root).find((s) => s.id === report.latest) : undefined;
  await notifyRun(config, {
    command: r.command, host: hostname(), exitCode: report.exitCode, failures: report.failures, warnings: report.warnings,
    snapshot: report.snapshot,
    latest: report.latest ? { id: report.latest, finishedAt: latestSnap?.meta?.finishedAt } : undefined,
    logLines: o.lines, destinationRoot: root, startedAt: r.startedAt, finishedAt: new Date().toISOString(),
  }, log);
  await ping(config, report.exitCode <= ExitCode.WARNING ? 'success' : report.exitCode, log);
}

/** The run's record: always on this host (log.dir), on the destination unless the disk failed. */
function recordRun(config: Config, report: BackupReport, r: { command: string; runId: string; startedAt: string; destinationOk: boolean }, log: Logger): void {
  const diskFault = report.error instanceof DiskFaultError;
  const run: LastRun = {
    command: r.command, runId: r.runId, startedAt: r.startedAt, finishedAt: new Date().toISOString(), exitCode: report.exitCode,
    snapshot: report.snapshot,
    errors: report.failures.map((f) => `${f.step}: ${f.error}`),
    warnings: report.warnings,
    pid: process.pid,
    host: hostname(),
    ...(diskFault ? { diskFault } : {}),
  };
  try {
    writeLocalLastBackup(config.log.dir, run);
  } catch (err) {
    log.warn({ err: errorMessage(err) }, `could not record the run in ${config.log.dir}`);
  }
  if (!r.destinationOk || diskFault) return;
  try {
    writeLastBackup(config.destination.root, run);
  } catch (err) {
    log.warn({ err: errorMessage(err) }, 'could not record the run under .state/');
  }
}
