/** The report model: the period's runs (snapshots and runs that made none), totals, status parts. */
import { describe, expect, it } from 'vitest';
import { sampleModel } from '../../helpers/report-model.js';

const GB = 1e9;

describe('buildReportModel', () => {
  const m = sampleModel();

  it('lists the runs of the last 7 days in order, a run that made no snapshot among them', () => {
    expect(m.period).toEqual({ days: 7, from: '2026-12-03T04:00:00.000Z', to: '2026-12-10T04:00:00.000Z' });
    expect(m.runs.map((r) => `${r.snapshot ?? `(${r.kind})`} ${r.result}`)).toEqual([
      'daily/2026-12-04 ok', 'daily/2026-12-05 ok', 'daily/2026-12-06 ok', '(weekly) not run', 'daily/2026-12-07 ok',
      'daily/2026-12-08 warnings', 'daily/2026-12-09 failed', 'daily/2026-12-10 ok',
    ]);
    expect(m.runs.find((r) => r.result === 'not run')!.errors).toEqual(['exit 75: see the log']);
    expect(m.runs.find((r) => r.result === 'failed')!.errors).toEqual(['databases: usermgmt: mariadb-dump exited 2 (lost connection)']);
  });

  it('sums the period: 8 runs, 6 ok, 2 failed, 6 nights × 2 GB + the 40 GB night, 6 × 10 min + the hour-long night', () => {
    expect(m.totals).toEqual({ runs: 8, ok: 6, failed: 2, addedBytes: 52 * GB, durationMs: 6 * 600_000 + 3_600_000 + 1000 });
  });

  it('carries the status verdict and its forecast, and the 30-night charts', () => {
    expect(m.forecast).toBe(m.status.forecast);
    expect(m.forecast?.status).toBe('ok');
    expect(m.charts.map((c) => c.label)).toEqual(['duration', 'added']);
  });
});
