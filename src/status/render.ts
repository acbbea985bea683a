/** Human lines of a status report: the state and its problems first, then the facts. */
import { formatBytes, formatHours } from '../util/format.js';
import type { StatusReport } from './types.js';
import { renderOffsite } from './offsite.js';
import { renderForecast } from './forecast.js';

export function renderStatus(r: StatusReport): string[] {
  const lines = [`MAILBACKUP ${r.state} - ${r.problems.length === 0 ? 'all checks passed' : `${r.problems.length} problem(s)`}`];
  for (const p of r.problems) lines.push(`  ${p.state.padEnd(8)} ${p.message}`);
  lines.push(`destination:   ${r.destination}`);
  if (r.newestOk) lines.push(`newest ok:     ${r.newestOk.id}, finished ${r.newestOk.finishedAt} (${formatHours(r.newestOk.ageHours)} ago)`);
  if (r.lastRun) lines.push(`last run:      exit ${r.lastRun.exitCode} at ${r.lastRun.finishedAt}${r.lastRun.snapshot ? ` (${r.lastRun.snapshot})` : ''}`);
  const s = r.snapshots;
  lines.push(`snapshots:     ${s.daily.ok}/${s.retention.daily} daily, ${s.weekly.ok}/${s.retention.weekly} weekly ok; ${s.daily.failed + s.weekly.failed} failed`);
  if (r.disk) {
    const d = r.disk;
    const full = d.daysUntilFull !== undefined ? `, full in ~${d.daysUntilFull.toFixed(0)} days at ${formatBytes(d.growthBytesPerDay)}/day` : '';
    lines.push(`disk:          ${(d.usedRatio * 100).toFixed(1)}% used, ${formatBytes(d.freeBytes)} free of ${formatBytes(d.totalBytes)}${full}`);
  }
  lines.push(...renderForecast(r.forecast));
  if (r.lock) lines.push(`lock:          ${r.lock.stale ? 'STALE ' : r.lock.foreign ? 'FROM ANOTHER MACHINE ' : ''}pid ${r.lock.pid} on ${r.lock.host}, \`${r.lock.command}\` since ${r.lock.startedAt}`);
  const v = r.verification;
  if (v.newest) lines.push(`verification:  ${v.newest.id} ${v.newest.ok ? 'ok' : 'FAILED'} (${v.newest.level}, ${v.newest.at})`);
  lines.push(`full verify:   ${v.lastFull ? `${v.lastFull.id} ${v.lastFull.ok ? 'ok' : 'FAILED'} at ${v.lastFull.at}` : 'never'}`);
  if (v.rolling) lines.push(`rolling:       every ${v.rolling.days} days, oldest slice re-read ${v.rolling.oldestAt} (${v.rolling.ageDays.toFixed(1)} days ago)${v.rolling.stale ? `, ${v.rolling.stale} overdue` : ''}${v.rolling.damagedSlices ? `, ${v.rolling.damagedSlices} DAMAGED` : ''}`);
  lines.push(`last drill:    ${r.drill ? `${r.drill.date} ${r.drill.ok ? 'ok' : 'FAILED'} (${Math.floor(r.drill.ageDays)} days ago)` : 'none yet'}`);
  lines.push(...renderOffsite(r.offsite));
  if (r.smart) {
    const m = r.smart;
    lines.push(
      `SMART:         ${m.device}${m.model ? ` ${m.model}` : ''}: ${m.passed === undefined ? 'unreadable' : m.passed ? 'PASSED' : 'FAILED'}` +
        `${m.temperatureC !== undefined ? `, ${m.temperatureC} °C` : ''}${m.powerOnHours !== undefined ? `, ${m.powerOnHours} h on` : ''}` +
        `, ${m.reallocatedSectors ?? '?'} reallocated, ${m.pendingSectors ?? '?'} pending`,
    );
  }
  return lines;
}
