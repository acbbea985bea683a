import { describe, expect, it } from 'vitest';
import { deletionBlocker, planRetention, type SnapshotSummary } from '../../../src/repository/retention.js';

const verified = { ok: true, level: 'quick', at: '2026-03-01T05:00:00Z' };
function snap(kind: 'daily' | 'weekly', date: string, status: 'ok' | 'failed' = 'ok', extra: Partial<SnapshotSummary> = {}): SnapshotSummary {
  return { id: `${kind}/${date}`, kind, date, status, finishedAt: `${date}T03:30:00Z`, verification: status === 'ok' ? verified : undefined, ...extra };
}
const ids = (xs: { id: string }[]) => xs.map((x) => x.id).sort();

describe('planRetention', () => {
  it('keeps the N newest ok dailies, counting only days that have one', () => {
    const snaps = [snap('daily', '2026-03-01'), snap('daily', '2026-03-02'), snap('daily', '2026-03-05'), snap('daily', '2026-03-09')];
    const plan = planRetention(snaps, { daily: 3, weekly: 1, failedDays: 7 }, '2026-03-09');
    expect(ids(plan.keep)).toEqual(['daily/2026-03-02', 'daily/2026-03-05', 'daily/2026-03-09']);
    expect(plan.delete).toEqual([{ id: 'daily/2026-03-01', reason: 'beyond the 3 newest ok daily snapshots' }]);
  });

  it('does not let failed snapshots fill a slot and keeps them for inspection until failedDays', () => {
    const snaps = [snap('daily', '2026-03-01', 'failed'), snap('daily', '2026-03-05', 'failed'), snap('daily', '2026-03-08'), snap('daily', '2026-03-09')];
    const plan = planRetention(snaps, { daily: 2, weekly: 1, failedDays: 7 }, '2026-03-09');
    expect(ids(plan.delete)).toEqual(['daily/2026-03-01']); // 8 days old, newer ok exists
    expect(ids(plan.keep)).toEqual(['daily/2026-03-05', 'daily/2026-03-08', 'daily/2026-03-09']);
  });

  it('keeps an old failed snapshot while no newer ok snapshot exists', () => {
    const snaps = [snap('daily', '2026-01-01'), snap('daily', '2026-02-01', 'failed')];
    const plan = planRetention(snaps, { daily: 5, weekly: 1, failedDays: 7 }, '2026-03-09');
    expect(plan.delete).toEqual([]);
  });

  it("never deletes the newest ok snapshot or latest's target", () => {
    const snaps = [snap('daily', '2026-03-01'), snap('daily', '2026-03-02'), snap('weekly', '2026-03-03')];
    const plan = planRetention(snaps, { daily: 1, weekly: 0, failedDays: 7 }, '2026-03-03', { latest: 'daily/2026-03-01' });
    expect(plan.delete).toEqual([]);
    expect(plan.keep.find((k) => k.id === 'weekly/2026-03-03')?.reason).toBe('newest ok snapshot');
    expect(plan.keep.find((k) => k.id === 'daily/2026-03-01')?.reason).toBe('target of latest');
  });

  it('refuses every deletion while the newest snapshot is failed, unverified or damaged', () => {
    const base = [snap('daily', '2026-03-01'), snap('daily', '2026-03-02')];
    const rules = { daily: 1, weekly: 1, failedDays: 7 };
    const newest: SnapshotSummary[] = [
      snap('daily', '2026-03-03', 'failed'),
      snap('daily', '2026-03-03', 'ok', { verification: undefined }),
      snap('daily', '2026-03-03', 'ok', { verification: { ok: false, level: 'full', at: 'x' } }),
    ];
    for (const n of newest) {
      const plan = planRetention([...base, n], rules, '2026-03-03');
      expect(plan.delete).toEqual([]);
      expect(plan.refused).toMatch(/daily\/2026-03-03/);
      expect(plan.keep).toHaveLength(3);
    }
    expect(planRetention([...base, snap('daily', '2026-03-03')], rules, '2026-03-03').delete).toHaveLength(2);
  });

  it('judges the newest snapshot by finish time on a shared date (weekly clone after its daily)', () => {
    const daily = snap('daily', '2026-03-08');
    const weekly = snap('weekly', '2026-03-08', 'ok', { finishedAt: '2026-03-08T04:10:00Z', verification: undefined });
    expect(deletionBlocker([daily, weekly])).toMatch(/weekly\/2026-03-08 is not verified/);
  });
});
