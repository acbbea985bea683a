/**
 * Pure: the report as text lines, for a terminal, a pipe and the text part of the mail. The
 * state of the destination is status's own rendering (one home for those lines); charts are
 * drawn when asked (a terminal or the mail), never into a pipe.
 */
import { formatBytes, formatCount, formatDuration } from '../log/units.js';
import { renderStatus } from '../status/render.js';
import { table } from '../util/format.js';
import { renderChartsText } from './charts.js';
import type { ReportModel, ReportRun } from './model.js';

const when = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')}Z`;

export function reportTitle(m: ReportModel): string {
  return `mailbackup report for ${m.host}: ${m.period.from.slice(0, 10)} … ${m.period.to.slice(0, 10)} (${m.period.days} days)`;
}

function runRows(runs: ReportRun[]): string[] {
  const rows = table([
    ['STARTED', 'KIND', 'RESULT', 'DURATION', 'FILES ADDED', 'BYTES ADDED', 'WARNINGS'],
    ...runs.map((r) => [
      when(r.startedAt),
      r.kind,
      r.result === 'ok' ? 'ok' : r.result.toUpperCase(),
      formatDuration(r.durationMs),
      r.addedFiles === undefined ? '-' : formatCount(r.addedFiles),
      formatBytes(r.addedBytes),
      String(r.warnings.length),
    ]),
  ]);
  // what went wrong, under the table: one line each, so the table stays narrow
  for (const r of runs) {
    const name = r.snapshot ?? `${r.kind} run at ${when(r.startedAt)}`;
    for (const e of r.errors) rows.push(`  ${name}: ${e}`);
    for (const w of r.warnings) rows.push(`  ${name}: warning: ${w}`);
  }
  return rows;
}

export function renderReportText(m: ReportModel, opts: { charts: boolean }): string[] {
  const t = m.totals;
  const lines = [
    reportTitle(m),
    `${t.runs} run(s): ${t.ok} ok, ${t.failed} failed; ${formatBytes(t.addedBytes)} added; ${formatDuration(t.durationMs)} in total`,
    '',
    ...(m.runs.length ? runRows(m.runs) : ['no backup run in this period: check cron (`mailbackup schedule`) and the log']),
  ];
  if (opts.charts) lines.push('', ...renderChartsText(m.charts));
  lines.push('', ...renderStatus(m.status));
  if (!m.status.smart) lines.push('SMART:         not checked (`mailbackup report --smart`, or `status --smart`)');
  return lines;
}
