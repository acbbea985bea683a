import { describe, expect, it } from 'vitest';
import { renderCron } from '../../../src/schedule/cron.js';
import { JOBS, shellQuote } from '../../../src/schedule/jobs.js';
import { renderUnits } from '../../../src/schedule/systemd.js';
import { parseCronLine } from '../../helpers/cron-parse.js';

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
