/** The forecast in status: its warning threshold (notify.forecastWarnDays), its line and its gauges. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import type { Snapshot } from '../../../src/repository/snapshots.js';
import type { StatusFacts } from '../../../src/status/collect.js';
import { evaluateStatus } from '../../../src/status/evaluate.js';
import { renderMetrics, renderStatus } from '../../../src/status/index.js';
import { historyNights, metaOf } from '../../helpers/history.js';

const GB = 1e9;
const NOW = new Date('2026-12-10T04:00:00Z');
// 10 nights, 3 GB added and 1 GB removed each: 2 GB a night net, retention (10 dailies) full
const nights = historyNights({ endAt: '2026-12-10T03:00:00Z', nights: 10, startBytes: 100 * GB, added: () => 3 * GB, removed: () => 1 * GB });
const snapshots: Snapshot[] = nights.map((n) => ({ kind: 'daily', date: n.date, id: `daily/${n.date}`, dir: `/b/daily/${n.date}`, meta: metaOf(n) }));

function facts(usedGB: number): StatusFacts {
  return {
    now: NOW, destination: '/b', marker: { format: 1, createdAt: '2026-11-20T00:00:00Z' }, snapshots, leftovers: { partial: [], deleting: [] },
    disk: { usedPercent: Math.ceil(usedGB / 10), totalBytes: 1000 * GB, usedBytes: usedGB * GB, freeBytes: (1000 - usedGB) * GB },
  };
}
const config = (over: Record<string, unknown> = {}) =>
  parseConfig({ source: { root: '/s' }, destination: { root: '/b' }, database: {}, retention: { daily: 10 }, notify: { ...over } });
const keys = (r: ReturnType<typeof evaluateStatus>) => r.problems.filter((p) => p.key.startsWith('disk')).map((p) => `${p.key}=${p.state}`);

describe('status forecast', () => {
  it('warns when 80 % is less than 30 days away (default), not when it is further', () => {
    // 800 GB - 750 GB at 2 GB a night: 25 days
    const near = evaluateStatus(facts(750), config());
    expect(keys(near)).toEqual(['disk.forecast=WARNING']);
    expect(near.problems.find((p) => p.key === 'disk.forecast')!.message).toMatch(/reaches 80% in about 25 days \(2027-01-04, warning under 30 days\)/);
    // 800 - 730 = 70 GB: 35 days
    expect(keys(evaluateStatus(facts(730), config()))).toEqual([]);
  });

  it('takes the number of days from notify.forecastWarnDays, and leaves a disk past 80 % to disk.usage', () => {
    expect(keys(evaluateStatus(facts(730), config({ forecastWarnDays: 40 })))).toEqual(['disk.forecast=WARNING']);
    expect(keys(evaluateStatus(facts(750), config({ forecastWarnDays: 20 })))).toEqual([]);
    expect(keys(evaluateStatus(facts(810), config()))).toEqual(['disk.usage=WARNING']);
  });

  it('prints a forecast line and exports the days as gauges', () => {
    const r = evaluateStatus(facts(750), config());
    expect(renderStatus(r).join('\n')).toMatch(/^forecast: +80% 2027-01-04 \(2027-01-04 … 2027-01-04\), full 2027-04-14 \(2027-04-14 … 2027-04-14\); net 1\.9 GiB\/night \(±0 B\)$/m);
    const prom = renderMetrics(r);
    expect(prom).toMatch(/^mailbackup_disk_forecast_days_until_warning 25(\.0+\d*)?$/m);
    expect(prom).toMatch(/^mailbackup_disk_forecast_days_until_full 125(\.0+\d*)?$/m);
  });

  it('disk.full-soon and the disk line take the forecast\'s days, so status gives one estimate', () => {
    // 10 GB free at 2 GB a night net: 5 days (the 14-day added bytes alone would say 3.3)
    const r = evaluateStatus(facts(990), config());
    expect(r.disk).toMatchObject({ growthBytesPerDay: 2 * GB, daysUntilFull: 5 });
    expect(r.problems.find((p) => p.key === 'disk.full-soon')).toMatchObject({ state: 'WARNING', message: expect.stringMatching(/^backup disk full in about 5\.0 days at the forecast's net growth/) });
    expect(renderStatus(r).join('\n')).toMatch(/^disk: .*, full in ~5 days at 1\.9 GiB\/day$/m);
  });

  it('says why there is no estimate, and exports no gauge then', () => {
    const few = evaluateStatus({ ...facts(750), snapshots: snapshots.slice(-2) }, config());
    expect(renderStatus(few).join('\n')).toMatch(/^forecast: +not enough data: 2 of 3 incremental nights in the last 30 days$/m);
    expect(renderMetrics(few)).not.toContain('mailbackup_disk_forecast_days');
    expect(keys(few)).toEqual([]);
  });
});
