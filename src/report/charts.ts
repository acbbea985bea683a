/**
 * Pure: the last 30 nights as small charts (issue 33), one column per calendar day: Unicode
 * block sparklines that read the same in any terminal and in a plain-text mail, with a marker
 * row under them (`^` an outlier night, `x` a failed one, blank a day without a run).
 */
import { formatBytes, formatDuration } from '../log/units.js';
import type { Night } from './history.js';
import { median, outlierBound } from './stats.js';

const CHART_NIGHTS = 30;
const BLOCKS = '▁▂▃▄▅▆▇█';
const DAY = 86_400_000;

export interface Column {
  date: string;
  value?: number;
  failed: boolean;
  outlier: boolean;
}

export interface Chart {
  label: string;
  unit: 'duration' | 'bytes';
  columns: Column[];
  median?: number;
  max?: { value: number; date: string };
}

/** Which values stand out (stats.ts outlierBound). */
export function outliers(values: (number | undefined)[]): boolean[] {
  const bound = outlierBound(values.filter((v): v is number => v !== undefined));
  return values.map((v) => bound !== undefined && v !== undefined && v > bound);
}

/** One block per value, scaled to the largest; a missing value is a space. */
export function sparkline(values: (number | undefined)[]): string {
  const max = Math.max(0, ...values.filter((v): v is number => v !== undefined));
  return values
    .map((v) => (v === undefined ? ' ' : BLOCKS[max <= 0 ? 0 : Math.min(7, Math.max(0, Math.ceil((v / max) * 8) - 1))]))
    .join('');
}

/** The calendar days of the chart, oldest first, ending with `now`'s (UTC) date. */
export function chartDates(now: Date, nights = CHART_NIGHTS): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: nights }, (_, k) => new Date(today - (nights - 1 - k) * DAY).toISOString().slice(0, 10));
}

function chart(label: string, unit: Chart['unit'], dates: string[], byDate: Map<string, Night>, pick: (n: Night) => number | undefined): Chart {
  const values = dates.map((d) => (byDate.has(d) ? pick(byDate.get(d)!) : undefined));
  const out = outliers(values);
  const columns = dates.map((date, k) => ({ date, value: values[k], failed: byDate.get(date)?.status === 'failed', outlier: out[k] }));
  const present = columns.filter((c) => c.value !== undefined);
  const top = present.reduce<Column | undefined>((a, c) => (!a || c.value! > a.value! ? c : a), undefined);
  return { label, unit, columns, median: median(present.map((c) => c.value!)), max: top ? { value: top.value!, date: top.date } : undefined };
}

/** Duration and added bytes of the daily runs of the last 30 days (the latest run of a date). */
export function historyCharts(nights: Night[], now: Date, n = CHART_NIGHTS): Chart[] {
  const dates = chartDates(now, n);
  const byDate = new Map(nights.filter((x) => x.kind === 'daily').map((x) => [x.date, x]));
  return [
    chart('duration', 'duration', dates, byDate, (x) => x.durationMs),
    chart('added', 'bytes', dates, byDate, (x) => x.addedBytes),
  ];
}

export const formatValue = (unit: Chart['unit'], v: number | undefined) => (v === undefined ? '-' : unit === 'bytes' ? formatBytes(v) : formatDuration(v));

/** Text lines: a header, then per chart its sparkline, summary and (when needed) marker row. */
export function renderChartsText(charts: Chart[]): string[] {
  if (charts.length === 0 || charts[0].columns.length === 0) return [];
  const cols = charts[0].columns;
  const lines = [`last ${cols.length} nights, ${cols[0].date} … ${cols[cols.length - 1].date} (^ outlier, x failed):`];
  for (const c of charts) {
    const summary = c.max ? `median ${formatValue(c.unit, c.median)}, max ${formatValue(c.unit, c.max.value)} on ${c.max.date}` : 'no runs';
    lines.push(`  ${c.label.padEnd(9)}${sparkline(c.columns.map((x) => x.value))}  ${summary}`);
    const marks = c.columns.map((x) => (x.outlier ? '^' : x.failed ? 'x' : ' ')).join('');
    if (marks.trim()) lines.push(`  ${''.padEnd(9)}${marks.trimEnd()}`);
  }
  return lines;
}
