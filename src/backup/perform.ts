/**
 * The whole `backup` command around one run: preflight (marker before anything is written),
 * lock, the run (or the weekly clone), rotation after success only, and the reporting every
 * run gets whatever happened: last-run state, log pruning, mail, ping.
 */
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { ExitCode, MailbackupError, errorMessage } from '../errors.js';
import { pruneLogs } from '../log/retention.js';
import { inPhase, NO_PROGRESS, type Progress } from '../log/progress.js';
import { diskWarning, notifyRun, ping } from '../notify/index.js';
import { snapshotId, type SnapshotRef } from '../repository/layout.js';
import { checkedDestination, lockDestination } from '../repository/destination.js';
import type { LockInfo } from '../repository/lock.js';
import type { BackupMeta } from '../repository/metadata.js';
import { runRotation, type RotationReport } from '../repository/rotate.js';
import { isOk, listSnapshots, readLatest } from '../repository/snapshots.js';
import { writeLastBackup } from '../repository/state.js';
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
  await ping(config, 'start', log);
  try {
    const { marker } = checkedDestination(config); // invariant 4 of docs/invariants.md: nothing is written before this passes
    destinationOk = true;
    await checkTools();
    const dest = await lockDestination(root, marker, 'exclusive', {
      command,
      waitMs: ref.kind === 'weekly' ? 6 * 3600_000 : 0, // the weekly run waits for the daily
      onWait: (h: LockInfo) => log.info({ holder: h }, 'waiting for the running backup to finish'),
      forceUnlock: o.forceUnlock,
    });
    try {
      if (dest.takeover) {
        report.warnings.push(dest.takeover);
        log.warn({ stale: dest.lock?.tookOverFrom }, dest.takeover);
      }
      const snaps = listSnapshots(root);
      const daily = snaps.find((s) => s.kind === 'daily' && s.date === ref.date && isOk(s));
      if (ref.kind === 'weekly' && daily?.meta) {
        const w = await inPhase(o.progress ?? NO_PROGRESS, `clone ${daily.id}`, undefined, () =>
          cloneToWeekly(root, { ...daily, meta: daily.meta! }, log.child({ step: 'weekly' }), o.signal));
        Object.assign(report, { meta: w.meta, outcome: w.outcome, status: 'ok' });
      } else {
        const prev = latestTarget(snaps);
        checkFreeSpace(root, prev);
        const run = await runBackup(config, ref, prev, log, o.lines, o.signal, o.progress);
        report.failures.push(...run.failures);
        report.warnings.push(...run.meta.warnings);
        Object.assign(report, { meta: run.meta, outcome: run.outcome, status: run.meta.status });
      }
      if (report.status === 'ok' && o.rotate) {
        report.rotation = await runRotation({ root, retention: config.retention, log: log.child({ step: 'rotate' }), signal: o.signal, progress: o.progress });
      }
      if (report.status === 'ok') report.warnings.push(...(await pushAfterBackup(config, ref.kind, report.snapshot, log, o.signal)));
    } finally {
      dest.release();
    }
    const disk = diskWarning(config, root);
    if (disk) {
      report.warnings.push(disk);
      log.warn({ step: 'disk' }, disk);
    }
  } catch (err) {
    // an exception no failure class foresaw is a bug: the run failed (2), the stack goes to the log
    if (!(err instanceof MailbackupError)) log.fatal({ stack: err instanceof Error ? err.stack : String(err), terminal: false }, 'internal error');
    const e = err instanceof MailbackupError
      ? err
      : new MailbackupError(`internal error (this is a bug in mailbackup, please report it): ${errorMessage(err)}; the stack trace is in ${o.logFile ?? 'the log'}`);
    report.error = e;
    report.failures.push({ step: report.meta ? 'finish' : 'preflight', error: e.message });
    log.error({ err: e.message, exitCode: e.exitCode }, 'backup stopped');
  }
  report.exitCode = report.error
    ? report.error.exitCode
    : report.failures.length || report.status !== 'ok'
      ? ExitCode.FAILED
      : report.warnings.length
        ? ExitCode.WARNING
        : ExitCode.OK;
  report.latest = destinationOk ? readLatest(root) : undefined;
  const how = report.exitCode === ExitCode.OK ? 'ok' : report.exitCode === ExitCode.WARNING ? `ok with ${report.warnings.length} warning(s)` : `failed (exit ${report.exitCode})`;
  log.info({ exitCode: report.exitCode, status: report.status, failures: report.failures.length, warnings: report.warnings.length }, `backup finished: ${how}`);

  if (destinationOk) {
    try {
      writeLastBackup(root, {
        command, runId: o.runId, startedAt, finishedAt: new Date().toISOString(), exitCode: report.exitCode,
        snapshot: report.snapshot,
        errors: report.failures.map((f) => `${f.step}: ${f.error}`),
        warnings: report.warnings,
      });
    } catch (err) {
      log.warn({ err: errorMessage(err) }, 'could not record the run under .state/');
    }
  }
  try {
    pruneLogs(config.log.dir, config.log.retentionDays);
  } catch (err) {
    log.warn({ err: errorMessage(err) }, 'could not prune old log files');
  }
  const latestSnap = destinationOk && report.latest ? listSnapshots(root).find((s) => s.id === report.latest) : undefined;
  await notifyRun(config, {
    command, host: hostname(), exitCode: report.exitCode, failures: report.failures, warnings: report.warnings,
    snapshot: report.snapshot,
    latest: report.latest ? { id: report.latest, finishedAt: latestSnap?.meta?.finishedAt } : undefined,
    logLines: o.lines, destinationRoot: root, startedAt, finishedAt: new Date().toISOString(),
  }, log);
  await ping(config, report.exitCode <= ExitCode.WARNING ? 'success' : report.exitCode, log);
  return report;
}
