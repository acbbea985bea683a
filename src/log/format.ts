/** Readable one-line rendering of a pino record, for terminals and backup.log. */
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'runId', 'name', 'v']);

function short(v: unknown): string {
  if (typeof v === 'string') return /\s/.test(v) ? JSON.stringify(v) : v;
  if (v && typeof v === 'object' && 'message' in (v as object)) return JSON.stringify((v as Error).message);
  return JSON.stringify(v);
}

export function formatRecord(rec: Record<string, unknown>, withTime = true): string {
  const time = typeof rec.time === 'number' ? new Date(rec.time).toISOString().replace('T', ' ').slice(0, 19) : '';
  const level = LEVELS[rec.level as number] ?? String(rec.level);
  const fields = Object.entries(rec)
    .filter(([k, v]) => !HIDDEN.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${short(v)}`)
    .join(' ');
  const head = withTime ? `${time} ${level.padEnd(5)}` : level === 'INFO' ? '' : `${level}:`;
  return [head, rec.msg, fields].filter(Boolean).join(' ');
}
