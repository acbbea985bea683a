/** Human numbers for people: counts, sizes, durations and rates, used by every readable line. */
// sizes have their home with the other table renderings
import { formatBytes } from '../util/format.js';

export { formatBytes };

/** 100101 → "100,101" (one convention whatever the locale, so logs grep the same everywhere) */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** 15100 → "15.1 s", 754000 → "12 min 34 s", 7384000 → "2 h 03 min" */
export function formatDuration(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(Math.floor(s % 60)).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** a clock for ETAs: 42 → "0:42", 3723 → "1:02:03" */
export function formatClock(seconds: number): string {
  const t = Math.max(0, Math.round(seconds));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = String(t % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

export function formatRate(bytes: number, ms: number): string {
  return ms > 0 ? `${formatBytes((bytes * 1000) / ms)}/s` : '-';
}

/** "100,101 files, 2.3 GiB": the pair every summary sentence starts with */
export function filesAndBytes(files: number, bytes: number): string {
  return `${formatCount(files)} ${files === 1 ? 'file' : 'files'}, ${formatBytes(bytes)}`;
}
