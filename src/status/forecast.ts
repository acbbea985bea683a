/**
 * The capacity forecast in status (issue 33): the pure forecast of src/report/forecast.ts over
 * this destination's backup.json history, and a warning when the disk reaches
 * notify.diskUsageWarnPercent in fewer than notify.forecastWarnDays days.
 */
import type { Config } from '../config/schema.js';
import { forecast, type Forecast } from '../report/forecast.js';
import { nightsOf } from '../report/history.js';
import { isOk } from '../repository/snapshots.js';
import { formatBytes } from '../util/format.js';
import type { AddProblem } from './checks.js';
import type { StatusFacts } from './collect.js';
import type { StatusReport } from './types.js';

export function checkForecast(facts: StatusFacts, config: Config, report: StatusReport, add: AddProblem): void {
  if (!facts.disk) return;
  const f = forecast({
    now: facts.now,
    usedBytes: facts.disk.usedBytes,
    freeBytes: facts.disk.freeBytes,
    warnPercent: config.notify.diskUsageWarnPercent,
    nights: nightsOf(facts.snapshots),
    retentionDaily: config.retention.daily,
    okDailies: facts.snapshots.filter((s) => s.kind === 'daily' && isOk(s)).length,
  });
  report.forecast = f;
  const days = f.status === 'ok' ? f.warning.days : undefined;
  // at or above the threshold already: disk.usage says so
  if (days === undefined || days <= 0 || days >= config.notify.forecastWarnDays) return;
  add(
    'disk.forecast',
    'WARNING',
    `backup disk reaches ${config.notify.diskUsageWarnPercent}% in about ${Math.round(days)} days (${f.status === 'ok' ? f.warning.date : ''}, warning under ${config.notify.forecastWarnDays} days) at ${formatBytes(f.status === 'ok' ? f.netPerNight : 0)} a night: lower retention or plan a larger disk`,
  );
}

/** One status line: when the threshold and full are reached, or why there is no estimate. */
export function renderForecast(f: Forecast | undefined): string[] {
  if (!f) return [];
  if (f.status !== 'ok') return [`forecast:      ${f.reason}`];
  const when = (r: { days?: number; date?: string; earliest?: string; latest?: string }) =>
    r.days === 0 ? 'reached' : r.date ? `${r.date} (${r.earliest ?? '?'} … ${r.latest ?? 'never'})` : 'not at this rate';
  return [`forecast:      ${f.warnPercent}% ${when(f.warning)}, full ${when(f.full)}; net ${formatBytes(f.netPerNight)}/night (±${formatBytes(Math.round(f.netMargin))})`];
}
