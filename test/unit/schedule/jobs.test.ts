import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { renderCron } from '../../../src/schedule/cron.js';
import { parseConfig } from '../../../src/config/load.js';
import { jobsFor, JOBS, shellQuote } from '../../../src/schedule/jobs.js';
import { renderUnits } from '../../../src/schedule/systemd.js';

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
function parseCronLine(line: string) {
  const parts = line.trim().split(/\s+/);
  if (parts.length < 7) throw new Error(`need 5 time fields, a user and a command: "${line}"`);
  const sets = FIELDS.map((f, i) => parseField(parts[i], f));
  return { minute: sets[0], hour: sets[1], dom: sets[2], month: sets[3], dow: sets[4], user: parts[5], command: parts.slice(6).join(' '), domStar: parts[2] === '*', dowStar: parts[4] === '*' };
}

/** The next `n` times (UTC) a cron line fires after `from`, by cron's rules (dom OR dow when both are set). */
function nextRuns(line: string, from: Date, n: number): string[] {
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
function systemdRuns(onCalendar: string, from: Date, n: number): string[] {
  const base = from.toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
  const out = execFileSync('systemd-analyze', ['calendar', `--base-time=${base}`, `--iterations=${n}`, onCalendar], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
  return [...out.matchAll(/(?:Next elapse|Iter\. #\d+): \w+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC/g)].map((m) => new Date(m[1].replace(' ', 'T') + 'Z').toISOString());
}
const all = (lo: number, hi: number) => new Set(Array.from({ length: hi - lo + 1 }, (_, i) => lo + i));

describe('cron schedule', () => {
  const text = renderCron(['/usr/bin/node', '/opt/mail backup/mailbackup.mjs'], '/etc/mailbackup/config.yml');
  const entries = text
    .split('\n')
    .filter((l) => l && !l.startsWith('#') && !/^[A-Z]+=/.test(l))
    .map(parseCronLine);
  const byArgs = (s: string) => entries.find((e) => e.command.endsWith(s))!;

  it('every line parses and runs as root with the config and --quiet', () => {
    expect(entries).toHaveLength(JOBS.length);
    for (const e of entries) {
      expect(e.user).toBe('root');
      expect(e.command).toContain("/usr/bin/node '/opt/mail backup/mailbackup.mjs' --config /etc/mailbackup/config.yml --quiet ");
    }
  });

  it('runs the daily backup at 03:00 and the weekly on Sunday at 04:00', () => {
    const daily = byArgs('--quiet backup');
    expect([daily.minute, daily.hour, daily.dom, daily.month, daily.dow]).toEqual([new Set([0]), new Set([3]), all(1, 31), all(1, 12), all(0, 6)]);
    const weekly = byArgs('backup --weekly');
    expect([weekly.minute, weekly.hour, weekly.dow]).toEqual([new Set([0]), new Set([4]), new Set([0])]);
  });

  it('checks status hourly, SMART monthly and drills quarterly', () => {
    const status = byArgs('status --notify');
    expect(status.hour).toEqual(all(0, 23));
    expect(status.minute.size).toBe(1);
    const smart = byArgs('status --smart --notify');
    expect(smart.dom.size).toBe(1);
    expect(smart.month).toEqual(all(1, 12));
    const drill = byArgs(' drill');
    expect(drill.month).toEqual(new Set([1, 4, 7, 10]));
    expect(drill.dom.size).toBe(1);
  });

  it('mails the weekly report on Monday morning, after the night\'s backup and rolling verification', () => {
    const report = byArgs('--quiet report --mail --smart');
    expect([report.minute, report.hour, report.dom, report.month, report.dow]).toEqual([new Set([0]), new Set([7]), all(1, 31), all(1, 12), new Set([1])]);
    const rolling = byArgs('--quiet verify --rolling');
    expect([...report.hour][0] * 60).toBeGreaterThan([...rolling.hour][0] * 60 + [...rolling.minute][0]);
    const units = renderUnits(['/usr/bin/mailbackup'], '/etc/mailbackup/config.yml');
    expect(units.find((u) => u.name === 'mailbackup-report.timer')!.text).toContain('OnCalendar=Mon *-*-* 07:00:00');
    expect(units.find((u) => u.name === 'mailbackup-report.service')!.text).toMatch(/^After=.* mailbackup-backup\.service mailbackup-rolling-verify\.service$/m);
  });

  it('re-reads a slice of the data daily, after the backup and the weekly run have started', () => {
    const rolling = byArgs('--quiet verify --rolling');
    const backup = byArgs('--quiet backup');
    const weekly = byArgs('backup --weekly');
    expect([rolling.dom, rolling.month, rolling.dow]).toEqual([all(1, 31), all(1, 12), all(0, 6)]);
    expect(rolling.hour.size).toBe(1);
    const at = (e: typeof rolling) => [...e.hour][0] * 60 + [...e.minute][0];
    expect(at(rolling)).toBeGreaterThan(at(backup));
    expect(at(rolling)).toBeGreaterThan(at(weekly));
  });

  it('the parser itself rejects malformed lines', () => {
    expect(() => parseCronLine('60 3 * * * root x')).toThrow(/minute/);
    expect(() => parseCronLine('0 3 * * root x')).toThrow();
  });

  it('escapes % and quotes paths for the shell', () => {
    expect(renderCron(['/opt/100%/mb'], '/etc/c.yml')).toContain(' /opt/100\\%/mb --config');
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });
});

describe('cron and systemd agree', () => {
  it('every job fires at the same times from cron and from its systemd timer', () => {
    const from = new Date('2026-11-28T12:34:00Z');
    for (const job of JOBS) {
      const cron = nextRuns(`${job.cron} root true`, from, 3);
      expect(cron, job.id).toHaveLength(3);
      expect(systemdRuns(job.onCalendar, from, 3), job.id).toEqual(cron);
    }
  });
});

describe('systemd units', () => {
  const units = renderUnits(['/usr/local/bin/mailbackup'], '/etc/mailbackup/config.yml');

  it('pairs a low-priority oneshot service with a persistent timer for every job', () => {
    expect(units.map((u) => u.name)).toContain('mailbackup-backup.timer');
    for (const job of JOBS) {
      const svc = units.find((u) => u.name === `mailbackup-${job.id}.service`)!.text;
      const tmr = units.find((u) => u.name === `mailbackup-${job.id}.timer`)!.text;
      for (const line of ['Type=oneshot', 'Nice=19', 'IOSchedulingClass=idle', 'CPUQuota=30%']) expect(svc).toContain(line);
      expect(svc).toContain(`ExecStart=/usr/local/bin/mailbackup --config /etc/mailbackup/config.yml ${job.args.join(' ')}\n`);
      expect(tmr).toContain('Persistent=true');
      expect(tmr).toContain(`OnCalendar=${job.onCalendar}`);
    }
  });

  it('orders the weekly run and the drill after the daily backup instead of killing it', () => {
    const weekly = units.find((u) => u.name === 'mailbackup-weekly.service')!.text;
    expect(weekly).toMatch(/^After=.*mailbackup-backup\.service/m);
    expect(units.map((u) => u.text).join('\n')).not.toMatch(/^Conflicts=/m);
  });

  it('orders the rolling verification after the backup and treats its damage exit (2) as a failure', () => {
    const svc = units.find((u) => u.name === 'mailbackup-rolling-verify.service')!.text;
    expect(svc).toMatch(/^After=.*mailbackup-backup\.service.*mailbackup-weekly\.service/m);
    expect(svc).toContain('ExecStart=/usr/local/bin/mailbackup --config /etc/mailbackup/config.yml verify --rolling\n');
    expect(svc).not.toMatch(/^SuccessExitStatus=.*\b2\b/m);
  });
});

const base = { source: { root: '/srv/mail' }, destination: { root: '/mnt/b' }, database: {} };
const withOffsite = parseConfig({ ...base, offsite: { repositories: [{ name: 'cloud', url: 's3:https://s3/b', passwordFile: '/etc/p' }] } });

describe('jobsFor', () => {
  it('schedule adds the weekly rolling check only when offsite is configured', () => {
    expect(jobsFor(parseConfig(base))).toEqual(JOBS);
    const extra = jobsFor(withOffsite).filter((j) => !JOBS.includes(j));
    expect(extra.map((j) => j.args)).toEqual([['offsite', 'check', '--read-data-subset']]);
  });
});
