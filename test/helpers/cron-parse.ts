/**
 * Reading a crontab line and a systemd OnCalendar= back into the times they fire, to check
 * what schedule/ renders against the syntax the daemons accept.
 */
import { execFileSync } from 'node:child_process';

/** A strict 5-field cron parser (vixie/cronie syntax without names): returns the allowed values. */
const FIELDS: [string, number, number][] = [
  ['minute', 0, 59],
  ['hour', 0, 23],
  ['day of month', 1, 31],
  ['month', 1, 12],
  ['day of week', 0, 7],
];
function parseField(text: string, [name, min, max]: [string, number, number]): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!m) throw new Error(`bad ${name} field "${text}"`);
    const lo = m[1] === '*' ? min : Number(m[2]);
    const hi = m[1] === '*' ? max : m[3] !== undefined ? Number(m[3]) : m[4] ? max : lo;
    const step = m[4] ? Number(m[4]) : 1;
    if (lo < min || hi > max || lo > hi || step < 1) throw new Error(`${name} out of range in "${text}"`);
    for (let v = lo; v <= hi; v += step) out.add(name === 'day of week' && v === 7 ? 0 : v);
  }
  return out;
}
export function parseCronLine(line: string) {
  const parts = line.trim().split(/\s+/);
  if (parts.length < 7) throw new Error(`need 5 time fields, a user and a command: "${line}"`);
  const sets = FIELDS.map((f, i) => parseField(parts[i], f));
  return { minute: sets[0], hour: sets[1], dom: sets[2], month: sets[3], dow: sets[4], user: parts[5], command: parts.slice(6).join(' '), domStar: parts[2] === '*', dowStar: parts[4] === '*' };
}

/** The next `n` times (UTC) a cron line fires after `from`, by cron's rules (dom OR dow when both are set). */
export function nextRuns(line: string, from: Date, n: number): string[] {
  const e = parseCronLine(line);
  const out: string[] = [];
  const t = new Date(Math.floor(from.getTime() / 60_000) * 60_000);
  for (let i = 0; i < 400 * 24 * 60 && out.length < n; i++) {
    t.setTime(t.getTime() + 60_000);
    const dom = e.dom.has(t.getUTCDate());
    const dow = e.dow.has(t.getUTCDay());
    const day = e.domStar || e.dowStar ? dom && dow : dom || dow;
    if (e.minute.has(t.getUTCMinutes()) && e.hour.has(t.getUTCHours()) && e.month.has(t.getUTCMonth() + 1) && day) out.push(t.toISOString());
  }
  return out;
}

/** The same from systemd's own calendar parser. */
export function systemdRuns(onCalendar: string, from: Date, n: number): string[] {
  const base = from.toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
  const out = execFileSync('systemd-analyze', ['calendar', `--base-time=${base}`, `--iterations=${n}`, onCalendar], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
  return [...out.matchAll(/(?:Next elapse|Iter\. #\d+): \w+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC/g)].map((m) => new Date(m[1].replace(' ', 'T') + 'Z').toISOString());
}
