/**
 * The capacity forecast against hand computations (python, written down below) on generated
 * histories, and against a history whose future is known.
 */
import { describe, expect, it } from 'vitest';
import { forecast, type ForecastInput } from '../../../src/report/forecast.js';
import { nightsOf } from '../../../src/report/history.js';
import type { Snapshot } from '../../../src/repository/snapshots.js';
import { historyNights, metaOf, type HistoryNight, type HistorySpec } from '../../helpers/history.js';
import { createRng } from '../../helpers/prng.js';

const GB = 1e9;
const NOW = new Date('2026-12-10T04:00:00Z');

function snapshots(nights: HistoryNight[]): Snapshot[] {
  return nights.map((n) => ({ kind: 'daily', date: n.date, id: `daily/${n.date}`, dir: `/x/daily/${n.date}`, meta: metaOf(n) }));
}

function input(nights: HistoryNight[], over: Partial<ForecastInput> = {}): ForecastInput {
  return { now: NOW, usedBytes: 1000 * GB, freeBytes: 3000 * GB, warnPercent: 80, nights: nightsOf(snapshots(nights)), retentionDaily: 30, okDailies: 30, ...over };
}

const steady = (over: Partial<HistorySpec> = {}): HistorySpec => ({
  endAt: '2026-12-10T03:00:00Z', nights: 6, startBytes: 500 * GB, added: () => 3 * GB, removed: () => 1 * GB, ...over,
});

describe('forecast', () => {
  it('steady growth: (3200 - 1000) GB at 3 - 1 GB a night is 1100 days to 80 %, 1500 to full', () => {
    const f = forecast(input(historyNights(steady())));
    if (f.status !== 'ok') throw new Error(f.reason);
    expect(f.addedPerNight).toBeCloseTo(3 * GB, -3);
    expect(f.freedPerNight).toBeCloseTo(1 * GB, -3);
    expect(f.netMargin).toBeCloseTo(0, -3);
    expect(f.warning.days).toBeCloseTo(1100, 6);
    expect(f.warning.date).toBe('2029-12-14'); // 2026-12-10T04:00Z + 1100 days
    expect(f.full.days).toBeCloseTo(1500, 6);
    expect(f.full.date).toBe('2031-01-18');
  });

  it('while retention fills, rotation frees nothing: 5 nights at 3 GB, then 2 GB a night', () => {
    const f = forecast(input(historyNights(steady()), { okDailies: 25 }));
    if (f.status !== 'ok') throw new Error(f.reason);
    expect(f.fillNights).toBe(5);
    // 5 + (2200 - 15) / 2
    expect(f.warning.days).toBeCloseTo(1097.5, 6);
  });

  it('a disk already past the threshold says 0; shrinking data never reaches it', () => {
    const past = forecast(input(historyNights(steady()), { usedBytes: 3300 * GB, freeBytes: 700 * GB }));
    expect(past.status === 'ok' && past.warning.days).toBe(0);
    const shrinking = forecast(input(historyNights(steady({ added: () => 1 * GB, removed: () => 2 * GB }))));
    if (shrinking.status !== 'ok') throw new Error('expected a forecast');
    expect(shrinking.warning.days).toBeUndefined();
    expect(shrinking.warning.date).toBeUndefined();
  });

  it('not enough data: fewer than 3 incremental nights in 30 days (a first full is not growth)', () => {
    const f = forecast(input(historyNights(steady({ nights: 3 }))));
    expect(f).toMatchObject({ status: 'insufficient', nights: 2, needed: 3 });
    expect(f.status === 'insufficient' && f.reason).toContain('not enough data: 2 of 3');
  });

  it('40 nights with steady growth, a spike, rotation deletions and a failed night: the hand computation', () => {
    // nights 0-39 start 24 h apart ending 2026-12-10T03:00Z; 2 GB added and 1 GB removed a night,
    // night 36 added 40 GB (and ran 45 min), night 38 failed, rotation kept the newest 30 (10-39).
    const all = historyNights({
      endAt: '2026-12-10T03:00:00Z', nights: 40, startBytes: 500 * GB,
      added: (k) => (k === 36 ? 40 * GB : 2 * GB), removed: () => 1 * GB, minutes: (k) => (k === 36 ? 45 : 10), failed: [38],
    });
    const kept = all.slice(-30);
    const f = forecast(input(kept, { usedBytes: 2000 * GB, freeBytes: 1600 * GB, okDailies: 29 }));
    if (f.status !== 'ok') throw new Error(f.reason);
    // By hand (python): samples k = 10..37, 39, weight 0.5^(age/7) with age = (now - finishedAt) in days;
    // night 36's 40 GB counted at the outlier bound, median 2 GB + 50 % = 3 GB; night 10 has no removal
    // (its base, night 9, was rotated away). Σw·a/Σw = 2.0813144916698 GB, removal 1 GB,
    // net 1.0813144916698 GB, 2 SE (Kish n_eff 17.516) = 0.13097903482589 GB.
    expect(f.nights).toBe(29);
    expect(f.addedPerNight / GB).toBeCloseTo(2.0813144916698, 9);
    expect(f.freedPerNight / GB).toBeCloseTo(1, 9);
    expect(f.netMargin / GB).toBeCloseTo(0.13097903482589, 9);
    expect(f.fillNights).toBe(1);
    // 80 % of 3600 GB = 2880 GB: 1 night at 2.08 GB, then 1.08 GB a night
    expect(f.warning.days).toBeCloseTo(812.8994911023477, 6);
    expect(f.warning).toMatchObject({ date: '2029-03-02', earliest: '2028-12-04', latest: '2029-06-22' });
    expect(f.full.days).toBeCloseTo(1478.7557295479567, 6);
    expect(f.full).toMatchObject({ date: '2030-12-27', earliest: '2030-07-21', latest: '2031-07-19' });
  });

  it('lands near the true date on a history whose future is known', () => {
    const rng = createRng(33);
    const added = Array.from({ length: 400 }, (_, k) => (k === 20 ? 40 * GB : 2 * GB * (0.6 + 0.8 * rng.next())));
    const removed = Array.from({ length: 400 }, () => 1 * GB * (0.6 + 0.8 * rng.next()));
    // the disk holds the live data plus what left it while a retained snapshot still has it
    const keep = 30;
    const live: number[] = [];
    const used = (k: number) => live[k] + removed.slice(Math.max(1, k - keep + 2), k + 1).reduce((a, b) => a + b, 0);
    for (let k = 0; k < 400; k++) live.push(k === 0 ? 500 * GB : live[k - 1] + added[k] - removed[k]);
    const history = historyNights({ endAt: '2026-12-10T03:00:00Z', nights: 40, startBytes: 500 * GB, added: (k) => added[k], removed: (k) => removed[k] });
    const usable = (used(39) + 200 * GB) / 0.8;
    const f = forecast(input(history.slice(-keep), { usedBytes: used(39), freeBytes: usable - used(39), okDailies: keep }));
    if (f.status !== 'ok') throw new Error(f.reason);
    let k = 40;
    while (used(k) < 0.8 * usable) k++;
    const trueDate = new Date(Date.parse('2026-12-10T03:10:00Z') + (k - 39) * 86_400_000).toISOString().slice(0, 10);
    const errorDays = f.warning.days! - (k - 39);
    process.stdout.write(`known future: true ${trueDate} (${k - 39} nights), forecast ${f.warning.date} (${f.warning.days!.toFixed(1)} days, ${f.warning.earliest} … ${f.warning.latest}), off by ${errorDays.toFixed(1)} days\n`);
    expect(trueDate >= f.warning.earliest! && trueDate <= f.warning.latest!).toBe(true);
    expect(Math.abs(errorDays)).toBeLessThan(0.15 * (k - 39));
  });
});
