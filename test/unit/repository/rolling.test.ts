import { describe, expect, it } from 'vitest';
import { nextSlice, sliceOf, summarizeCoverage, withSlice, type RollingCoverage, type SliceRecord } from '../../../src/repository/rolling.js';

const rec = (slice: number, at: string, ok = true): SliceRecord => ({ slice, at, ok, snapshots: ['daily/2026-03-01'], files: 1, hashed: 1, bytes: 1 });
const cov = (days: number, since: string, slices: SliceRecord[]): RollingCoverage => ({ format: 1, days, since, slices });

describe('rolling coverage', () => {
  it('puts every path in one slice below DAYS, the same one on every call, spreading paths over all slices', () => {
    const paths = Array.from({ length: 3000 }, (_, i) => `mail/vmail/example.com/u${i % 7}/cur/${i}.M1P1.mail:2,S`);
    const counts = new Array(30).fill(0);
    for (const p of paths) {
      const s = sliceOf(p, 30);
      expect(sliceOf(p, 30)).toBe(s);
      counts[s]++;
    }
    // 100 expected per slice; every slice used and none holding more than twice its share
    expect(Math.min(...counts)).toBeGreaterThan(0);
    expect(Math.max(...counts)).toBeLessThan(200);
    expect(sliceOf('anything', 1)).toBe(0);
  });

  it('reads never-read slices first in order, then the slice read longest ago', () => {
    expect(nextSlice(undefined, 3)).toBe(0);
    expect(nextSlice(cov(3, '2026-03-01T00:00:00Z', [rec(0, '2026-03-01T05:00:00Z')]), 3)).toBe(1);
    const full = cov(3, '2026-03-01T00:00:00Z', [rec(0, '2026-03-04T05:00:00Z'), rec(1, '2026-03-02T05:00:00Z'), rec(2, '2026-03-03T05:00:00Z')]);
    expect(nextSlice(full, 3)).toBe(1);
    // coverage under another DAYS is another partition: start again at slice 0
    expect(nextSlice(full, 4)).toBe(0);
  });

  it('replaces a slice record and starts over when DAYS changes', () => {
    const a = withSlice(undefined, 3, rec(1, '2026-03-01T05:00:00Z'));
    expect(a).toMatchObject({ days: 3, since: '2026-03-01T05:00:00Z' });
    const b = withSlice(withSlice(a, 3, rec(0, '2026-03-02T05:00:00Z')), 3, rec(1, '2026-03-04T05:00:00Z', false));
    expect(b.slices.map((s) => [s.slice, s.at, s.ok])).toEqual([
      [0, '2026-03-02T05:00:00Z', true],
      [1, '2026-03-04T05:00:00Z', false],
    ]);
    expect(b.since).toBe('2026-03-01T05:00:00Z');
    expect(withSlice(b, 5, rec(0, '2026-03-05T05:00:00Z'))).toEqual(cov(5, '2026-03-05T05:00:00Z', [rec(0, '2026-03-05T05:00:00Z')]));
  });

  it('calls a slice stale after DAYS days plus the 2 h grace, a never-read one only once coverage began that long ago', () => {
    const now = new Date('2026-03-10T06:00:00Z');
    const c = cov(3, '2026-03-07T03:00:00Z', [rec(0, '2026-03-07T05:00:00Z'), rec(2, '2026-03-09T05:00:00Z', false)]);
    // slice 0 read 3 d 1 h ago: not yet; slice 1 never read, coverage began 3 d 3 h ago: stale
    expect(summarizeCoverage(c, now)).toMatchObject({ days: 3, stale: [1], oldestAt: '2026-03-07T03:00:00Z' });
    expect(summarizeCoverage(c, new Date('2026-03-10T08:00:01Z')).stale).toEqual([0, 1]);
    expect(summarizeCoverage(c, now).damaged.map((s) => s.slice)).toEqual([2]);
    expect(summarizeCoverage({ ...c, since: '2026-03-07T05:00:00Z' }, now).stale).toEqual([]);
  });
});
