/** The 30-night charts: blocks scaled to the largest night, outliers and failed nights marked. */
import { describe, expect, it } from 'vitest';
import { chartDates, historyCharts, outliers, renderChartsText, sparkline } from '../../../src/report/charts.js';
import { nightsOf } from '../../../src/report/history.js';
import { outlierBound } from '../../../src/report/stats.js';
import { historyNights, metaOf } from '../../helpers/history.js';

describe('sparkline', () => {
  it('maps 0..max onto the eight blocks, a missing night to a space', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7, 8])).toBe('▁▁▂▃▄▅▆▇█');
    expect(sparkline([10, undefined, 5])).toBe('█ ▄');
    expect(sparkline([0, 0])).toBe('▁▁');
  });
});

describe('outliers', () => {
  it('marks a night three robust deviations and 50 % above the median', () => {
    // median 10, MAD 1: bound 10 + max(3 × 1.4826, 5) = 15
    expect(outlierBound([9, 10, 11, 10, 9, 11, 10])).toBe(15);
    expect(outliers([9, 10, 11, 10, 9, 11, 10, 16, undefined])).toEqual([false, false, false, false, false, false, false, true, false]);
    expect(outliers([9, 10, 11, 10, 9, 11, 10, 15])).toEqual(Array(8).fill(false));
  });
  it('needs five nights before anything stands out', () => {
    expect(outliers([1, 1, 1, 100])).toEqual([false, false, false, false]);
  });
});

describe('historyCharts', () => {
  const nights = nightsOf(
    historyNights({
      endAt: '2026-12-10T03:00:00Z', nights: 40, startBytes: 1e9, added: (k) => (k === 36 ? 40e6 : 2e6), removed: () => 1e6,
      minutes: (k) => (k === 33 ? 60 : 10), failed: [38],
    }).map((n) => ({ kind: 'daily' as const, date: n.date, id: `daily/${n.date}`, dir: '/x', meta: metaOf(n) })),
  );
  const charts = historyCharts(nights, new Date('2026-12-10T12:00:00Z'));

  it('has one column per day of the last 30, ending today', () => {
    expect(chartDates(new Date('2026-12-10T12:00:00Z'))[0]).toBe('2026-11-11');
    expect(charts.map((c) => c.columns.length)).toEqual([30, 30]);
    expect(charts[0].columns[29].date).toBe('2026-12-10');
  });

  it('marks the long night in duration, the 40 MB night in added bytes, and the failed night', () => {
    const [duration, added] = charts;
    expect(duration.columns.filter((c) => c.outlier).map((c) => c.date)).toEqual(['2026-12-04']);
    expect(added.columns.filter((c) => c.outlier).map((c) => c.date)).toEqual(['2026-12-07']);
    expect(added.columns.filter((c) => c.failed).map((c) => c.date)).toEqual(['2026-12-09']);
    expect(added.max).toEqual({ value: 40e6, date: '2026-12-07' });
    const text = renderChartsText(charts);
    expect(text[0]).toBe('last 30 nights, 2026-11-11 … 2026-12-10 (^ outlier, x failed):');
    expect(text[1]).toBe('  duration ▂▂▂▂▂▂▂▂▂▂▂▂▂▂▂▂▂▂▂▂▂▂▂█▂▂▂▂▂▂  median 10 min 00 s, max 1 h 00 min on 2026-12-04');
    expect(text[2]).toBe('                                  ^    x');
    expect(text[3]).toBe('  added    ▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁█▁▁▁  median 1.9 MiB, max 38 MiB on 2026-12-07');
    expect(text[4]).toBe('                                     ^ x');
  });
});
