/**
 * What every backup run gets, whatever happened: its record (last-run state here and on the
 * destination), log pruning, the mail and the ping.
 */
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { DiskFaultError, ExitCode, errorMessage } from '../errors.js';
import { pruneLogs } from '../log/retention.js';
import { notifyRun, ping } from '../notify/index.js';
import { listSnapshots } from '../repository/snapshots.js';
import { writeLastBackup, writeLocalLastBackup, type LastRun } from '../repository/state.js';
import type { BackupReport, PerformOptions } from './perform.js';

export interface RunFacts {
  root: string;
  command: string;
  startedAt: string;
  /** the destination passed its checks: its state and `latest` can be read and written */
  destinationOk: boolean;
}

/** Every run gets these, whatever happened: its record, log pruning, the mail and the ping. */
export async function reportRun(config: Config, report: BackupReport, ctx: RunFacts, o: PerformOptions, diskFailed: boolean): Promise<void> {
  const { log } = o;
  const { root, command, startedAt, destinationOk } = ctx;
  recordRun(config, report, { command, runId: o.runId, startedAt, destinationOk }, log);
  try {
    pruneLogs(config.log.dir, config.log.retentionDays);
  } catch (err) {
    log.warn({ err: errorMessage(err) }, 'could not prune old log files');
  }
  const latestSnap = destinationOk && report.latest && !diskFailed ? listSnapshots(root).find((s) => s.id === report.latest) : undefined;
  await notifyRun(config, {
    command, host: hostname(), exitCode: report.exitCode, failures: report.failures, warnings: report.warnings,
    snapshot: report.snapshot,
    latest: report.latest ? { id: report.latest, finishedAt: latestSnap?.meta?.finishedAt } : undefined,
    logLines: o.lines, destinationRoot: root, startedAt, finishedAt: new Date().toISOString(),
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
