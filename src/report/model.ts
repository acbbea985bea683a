/**
 * Pure: the report model (issue 33), everything `report` prints, mails and emits as --json:
 * the runs of the period, the checks status already judges, disk use and the forecast, and the
 * charts of the last 30 nights.
 */
import type { StatusReport } from '../status/types.js';
import { historyCharts, type Chart } from './charts.js';
import type { Forecast } from './forecast.js';
import { nightsWithin, type Night } from './history.js';
import type { LogRun } from './log-runs.js';

export interface ReportRun {
  /** snapshot id, or undefined for a run that made none */
  snapshot?: string;
  kind: 'daily' | 'weekly';
  result: 'ok' | 'warnings' | 'failed' | 'not run';
  startedAt: string;
  durationMs: number;
  addedFiles?: number;
  addedBytes?: number;
  warnings: string[];
  errors: string[];
}

export interface ReportModel {
  host: string;
  generatedAt: string;
  period: { days: number; from: string; to: string };
  destination: string;
  runs: ReportRun[];
  totals: { runs: number; ok: number; failed: number; addedBytes: number; durationMs: number };
  /** disk use and the forecast, as status has them */
  forecast?: Forecast;
  /** the status of the destination at the time of the report: verification, drill, SMART, offsite, disk */
  status: StatusReport;
  charts: Chart[];
}

export interface ReportInput {
  now: Date;
  host: string;
  days: number;
  status: StatusReport;
  nights: Night[];
  logRuns: LogRun[];
}

function runOf(n: Night): ReportRun {
  const result = n.status === 'failed' ? 'failed' : n.warnings.length ? 'warnings' : 'ok';
  return {
    snapshot: n.id, kind: n.kind, result, startedAt: n.startedAt, durationMs: n.durationMs,
    addedFiles: n.addedFiles, addedBytes: n.addedBytes, warnings: n.warnings, errors: n.errors,
  };
}

function logRunOf(r: LogRun): ReportRun {
  return {
    kind: r.command.includes('--weekly') ? 'weekly' : 'daily', result: 'not run', startedAt: r.startedAt,
    durationMs: Math.max(0, Date.parse(r.finishedAt) - Date.parse(r.startedAt)),
    warnings: [], errors: [r.error ?? `exit ${r.exitCode}: see the log`],
  };
}

export function buildReportModel(i: ReportInput): ReportModel {
  const from = new Date(i.now.getTime() - i.days * 86_400_000);
  const runs = [...nightsWithin(i.nights, i.now, i.days).map(runOf), ...i.logRuns.filter((r) => Date.parse(r.startedAt) >= from.getTime()).map(logRunOf)]
    .sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
  const s = i.status;
  return {
    host: i.host,
    generatedAt: i.now.toISOString(),
    period: { days: i.days, from: from.toISOString(), to: i.now.toISOString() },
    destination: s.destination,
    runs,
    totals: {
      runs: runs.length,
      ok: runs.filter((r) => r.result === 'ok' || r.result === 'warnings').length,
      failed: runs.filter((r) => r.result === 'failed' || r.result === 'not run').length,
      addedBytes: runs.reduce((n, r) => n + (r.addedBytes ?? 0), 0),
      durationMs: runs.reduce((n, r) => n + r.durationMs, 0),
    },
    forecast: s.forecast,
    status: s,
    charts: historyCharts(i.nights, i.now),
  };
}
