/** The rolling-verification part of the status verdict (src/status/rolling.ts), from facts. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import type { RollingCoverage } from '../../../src/repository/rolling.js';
import type { StatusFacts } from '../../../src/status/collect.js';
import { evaluateStatus } from '../../../src/status/evaluate.js';
import { renderMetrics } from '../../../src/status/prometheus.js';

const NOW = new Date('2026-11-28T09:00:00Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();
const config = parseConfig({ source: { root: '/srv' }, destination: { root: '/backup' }, database: {}, verify: { rollingDays: 7 } });

function facts(rolling: RollingCoverage | undefined, markerDaysAgo = 100): StatusFacts {
  const meta = {
    date: '2026-11-28', kind: 'daily', status: 'ok', finishedAt: hoursAgo(5), verification: { at: hoursAgo(5), level: 'quick', ok: true },
    databases: { usermgmt: { file: 'mysql/usermgmt.sql.gz', bytes: 10, sha256: 'x', tables: {}, status: 'ok' } },
  };
  return {
    now: NOW,
    destination: '/backup',
    marker: { format: 1, createdAt: hoursAgo(markerDaysAgo * 24) },
    snapshots: [{ kind: 'daily', date: '2026-11-28', id: 'daily/2026-11-28', dir: '/backup/daily/2026-11-28', meta: meta as never }],
    leftovers: { partial: [], deleting: [] },
    disk: { usedPercent: 40, totalBytes: 100, usedBytes: 40, freeBytes: 60 },
    drill: { date: '2026-11-01', finishedAt: hoursAgo(24 * 27), ok: true, file: 'd.json' },
    rolling,
  };
}
const slice = (n: number, hours: number, ok = true) => ({ slice: n, at: hoursAgo(hours), ok, snapshots: ['daily/2026-11-28'], files: 3, hashed: 3, bytes: 30, ...(ok ? {} : { damaged: ['daily/2026-11-28/mail/x: changed (sha256 differs from manifest.sha256)'] }) });
const keys = (f: StatusFacts) => evaluateStatus(f, config).problems.map((p) => `${p.key}=${p.state}`);

describe('status: rolling verification', () => {
  it('never run: fine while the disk is younger than verify.rollingDays, then WARNING naming the command', () => {
    expect(keys(facts(undefined, 6))).toEqual([]);
    const r = evaluateStatus(facts(undefined, 8), config);
    expect(r.problems.map((p) => `${p.key}=${p.state}`)).toEqual(['verify.rolling.none=WARNING']);
    expect(r.problems[0].message).toContain('mailbackup verify --rolling 7');
  });

  it('OK while every slice was re-read within DAYS days, WARNING with the overdue count once one is older', () => {
    const cov = (oldest: number): RollingCoverage => ({ format: 1, days: 2, since: hoursAgo(24 * 30), slices: [slice(0, oldest), slice(1, 3)] });
    expect(keys(facts(cov(47)))).toEqual([]);
    const late = evaluateStatus(facts(cov(51)), config);
    expect(late.problems.map((p) => `${p.key}=${p.state}`)).toEqual(['verify.rolling.stale=WARNING']);
    expect(late.problems[0].message).toMatch(/^1 of 2 slices .* not re-read within 2 days/);
    expect(late.verification.rolling).toMatchObject({ days: 2, oldestAt: hoursAgo(51), stale: 1 });
    expect(renderMetrics(late)).toMatch(/^mailbackup_rolling_verify_stale_slices 1$/m);
    expect(renderMetrics(late)).toContain(`mailbackup_rolling_verify_oldest_timestamp_seconds ${Date.parse(hoursAgo(51)) / 1000}\n`);
  });

  it('a slice whose last re-read found damage is CRITICAL and names the first damaged file', () => {
    const r = evaluateStatus(facts({ format: 1, days: 2, since: hoursAgo(30), slices: [slice(0, 20, false), slice(1, 3)] }), config);
    expect(r.state).toBe('CRITICAL');
    expect(r.problems.map((p) => p.message)).toEqual([expect.stringContaining('slice 1/2 at 2026-11-27T13:00:00.000Z found damage (daily/2026-11-28/mail/x: changed')]);
  });
});
