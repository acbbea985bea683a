/**
 * Readable one-line rendering of a pino record, for terminals, cron mail and backup.log: the
 * message is a sentence that carries the numbers that matter; warnings and errors add their
 * `err`/`reason`. Other fields stay in the JSON log file only (debug lines show their scalars).
 */
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const WORDS: Record<number, string> = { 10: 'trace:', 20: 'debug:', 40: 'warning:', 50: 'error:', 60: 'fatal:' };
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'runId', 'name', 'v']);

function scalar(v: unknown): string | undefined {
  if (typeof v === 'string') return /\s/.test(v) ? JSON.stringify(v) : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined; // null, objects, arrays: the JSON log file has them
}

function why(rec: Record<string, unknown>): string | undefined {
  for (const v of [rec.err, rec.reason]) {
    const s = typeof v === 'string' ? v : v && typeof v === 'object' && 'message' in v ? String((v as Error).message) : undefined;
    if (s) return s;
  }
  return undefined;
}

export function formatRecord(rec: Record<string, unknown>, withTime = true): string {
  const lvl = rec.level as number;
  let text = typeof rec.msg === 'string' ? rec.msg : '';
  const reason = lvl >= 40 ? why(rec) : undefined;
  if (reason && !text.includes(reason)) text = text ? `${text}: ${reason}` : reason;
  if (lvl < 30) {
    const fields = Object.entries(rec)
      .filter(([k]) => !HIDDEN.has(k))
      .map(([k, v]) => [k, scalar(v)])
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${v}`);
    text = [text, ...fields].filter(Boolean).join(' ');
  }
  if (withTime) {
    const time = typeof rec.time === 'number' ? new Date(rec.time).toISOString().replace('T', ' ').slice(0, 19) : '';
    return `${time} ${(LEVELS[lvl] ?? String(lvl)).padEnd(5)} ${text}`;
  }
  return lvl === 30 ? text : `${WORDS[lvl] ?? `${lvl}:`} ${text}`;
}
