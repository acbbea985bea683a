/**
 * The --prometheus textfile must parse as Prometheus text exposition format 0.0.4 (what
 * node_exporter's textfile collector reads). promtool is not installed here, so this is a strict
 * parser of the same grammar: HELP/TYPE before samples, valid names and labels, float values,
 * one TYPE per family, no duplicate series, family samples contiguous.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderMetrics, writeMetrics } from '../../../src/status/prometheus.js';
import type { StatusReport } from '../../../src/status/types.js';

type Series = Map<string, number>;

function parseExposition(text: string): { types: Map<string, string>; series: Series } {
  const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
  const types = new Map<string, string>();
  const series: Series = new Map();
  const closed = new Set<string>();
  let current: string | undefined;
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.slice(0, -1).split('\n')) {
    const meta = /^# (HELP|TYPE) (\S+) (.+)$/.exec(line);
    if (meta) {
      expect(meta[2]).toMatch(NAME);
      if (meta[1] === 'TYPE') {
        expect(types.has(meta[2]), `second TYPE for ${meta[2]}`).toBe(false);
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(meta[3]);
        types.set(meta[2], meta[3]);
      }
      continue;
    }
    expect(line.startsWith('#')).toBe(false);
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    expect(m, `not a sample line: ${line}`).not.toBeNull();
    const [, name, , labelText, value] = m!;
    expect(types.has(name), `${name} sampled before its TYPE`).toBe(true);
    if (current !== name) {
      expect(closed.has(name), `${name} samples are not contiguous`).toBe(false);
      if (current) closed.add(current);
      current = name;
    }
    const labels = labelText ? labelText.split(/,(?=[a-zA-Z_])/) : [];
    for (const l of labels) expect(l).toMatch(/^[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*"$/);
    const num = value === '+Inf' || value === '-Inf' || value === 'NaN' ? 0 : Number(value);
    expect(Number.isNaN(num), `value of ${line}`).toBe(false);
    const key = `${name}{${labels.sort().join(',')}}`;
    expect(series.has(key), `duplicate series ${key}`).toBe(false);
    series.set(key, Number(value));
  }
  return { types, series };
}

const report: StatusReport = {
  state: 'WARNING',
  exitCode: 1,
  checkedAt: '2026-11-28T09:00:00.000Z',
  destination: '/mnt/backup-hdd/mailserver',
  problems: [{ key: 'disk.usage', state: 'WARNING', message: 'backup disk 83% full' }],
  newestOk: { id: 'daily/2026-11-28', finishedAt: '2026-11-28T03:21:40.000Z', ageHours: 5.6 },
  lastRun: { command: 'backup', runId: 'ab12', startedAt: '2026-11-28T03:00:00Z', finishedAt: '2026-11-28T03:21:40.000Z', exitCode: 0, errors: [], warnings: [] },
  disk: { totalBytes: 4e12, usedBytes: 3.3e12, freeBytes: 0.7e12, usedRatio: 0.825, growthBytesPerDay: 5.2e9, daysUntilFull: 134.6 },
  lock: { pid: 1, host: 'mail01', command: 'verify', startedAt: '2026-11-28T08:59:00Z', stale: false, ageHours: 0.01 },
  snapshots: { daily: { ok: 30, failed: 1 }, weekly: { ok: 12, failed: 0 }, retention: { daily: 30, weekly: 12 }, partial: [], deleting: [] },
  verification: { newest: { id: 'daily/2026-11-28', at: '2026-11-28T03:21:39Z', level: 'quick', ok: true }, lastFull: { id: 'weekly/2026-11-22', at: '2026-11-22T06:00:00Z', ok: true }, damaged: [] },
  drill: { date: '2026-10-01', finishedAt: '2026-10-01T10:00:00Z', ok: true, file: '/x.json', ageDays: 58 },
  smart: { device: '/dev/sdb', passed: true, reallocatedSectors: 0, pendingSectors: 0, temperatureC: 34, powerOnHours: 12873, messages: [] },
  offsite: [
    { name: 'cloud', url: 's3:https://s3/b', newest: { snapshot: 'daily/2026-11-28', finishedAt: '2026-11-28T03:21:40.000Z', pushedAt: '2026-11-28T03:30:00.000Z', ageDays: 0.2 }, lastCheck: { at: '2026-11-27T07:00:00Z', mode: '--read-data-subset 3/12', ok: true } },
    { name: 'sftp', url: 'sftp:h:/r', lastPushError: { at: '2026-11-28T03:30:00Z', error: 'down' } },
  ],
};

const tmp = mkdtempSync(join(tmpdir(), 'mb-prom-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('Prometheus textfile', () => {
  it('parses and carries the values monitoring alerts on', () => {
    const { types, series } = parseExposition(renderMetrics(report));
    expect([...types.values()].every((t) => t === 'gauge')).toBe(true);
    expect(series.get('mailbackup_status{}')).toBe(1);
    expect(series.get('mailbackup_last_success_timestamp_seconds{}')).toBe(Date.parse('2026-11-28T03:21:40Z') / 1000);
    expect(series.get('mailbackup_snapshots{kind="daily",status="ok"}')).toBe(30);
    expect(series.get('mailbackup_snapshots{kind="weekly",status="ok"}')).toBe(12);
    expect(series.get('mailbackup_disk_used_ratio{}')).toBe(0.825);
    expect(series.get('mailbackup_last_run_exit_code{}')).toBe(0);
    expect(series.get('mailbackup_lock_held{}')).toBe(1);
    expect(series.get('mailbackup_smart_temperature_celsius{}')).toBe(34);
    expect(series.get('mailbackup_problems{state="WARNING"}')).toBe(1);
    expect(series.get('mailbackup_offsite_newest_snapshot_timestamp_seconds{repository="cloud"}')).toBe(Date.parse('2026-11-28T03:21:40Z') / 1000);
    expect(series.get('mailbackup_offsite_last_check_ok{repository="cloud"}')).toBe(1);
    expect(series.get('mailbackup_offsite_last_push_failed{repository="sftp"}')).toBe(1);
    expect(series.has('mailbackup_offsite_newest_snapshot_timestamp_seconds{repository="sftp"}')).toBe(false);
  });

  it('leaves out what is unknown instead of writing 0 (no "last success in 1970")', () => {
    const bare: StatusReport = { ...report, state: 'CRITICAL', exitCode: 2, newestOk: undefined, lastRun: undefined, disk: undefined, lock: undefined, drill: undefined, smart: undefined, verification: { damaged: [] } };
    const { series } = parseExposition(renderMetrics(bare));
    expect(series.has('mailbackup_last_success_timestamp_seconds{}')).toBe(false);
    expect(series.has('mailbackup_disk_used_ratio{}')).toBe(false);
    expect(series.get('mailbackup_status{}')).toBe(2);
    expect(series.get('mailbackup_lock_held{}')).toBe(0);
  });

  it('is written atomically and readable by node_exporter', () => {
    const file = join(tmp, 'mailbackup.prom');
    writeMetrics(file, report);
    writeMetrics(file, { ...report, state: 'OK', exitCode: 0 });
    expect(parseExposition(readFileSync(file, 'utf8')).series.get('mailbackup_status{}')).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o644);
    expect(readdirSync(tmp)).toEqual(['mailbackup.prom']); // no temp file left for the collector to trip on
  });
});
