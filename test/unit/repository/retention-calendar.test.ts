/**
 * 120 simulated days of cron runs (daily every day, weekly on Sundays) with missed days and
 * failed runs. Rotation runs after each successful run, as the backup pipeline does. After every
 * day, the set of snapshots left must be exactly what the rules say, computed here independently
 * from the history of runs instead of from the plan's own bookkeeping.
 */
import { describe, expect, it } from 'vitest';
import { planRetention, type SnapshotSummary } from '../../../src/repository/retention.js';
import { createRng } from '../../helpers/prng.js';

const RULES = { daily: 30, weekly: 12, failedDays: 7 };
const DAY = 86_400_000;

interface Run {
  id: string;
  kind: 'daily' | 'weekly';
  date: string;
  ok: boolean;
  dayIndex: number;
}

const dateOf = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * DAY).toISOString().slice(0, 10);
const isSunday = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * DAY).getUTCDay() === 0;

/** What must exist right after rotation at day `today`, given every run so far. */
function expectedAfterRotation(history: Run[], todayIndex: number): Set<string> {
  const keep = new Set<string>();
  for (const kind of ['daily', 'weekly'] as const) {
    const limit = kind === 'daily' ? RULES.daily : RULES.weekly;
    // Walk the calendar backwards, counting days that produced an ok snapshot of this kind.
    let found = 0;
    for (let i = todayIndex; i >= 0 && found < limit; i--) {
      const run = history.find((r) => r.kind === kind && r.dayIndex === i && r.ok);
      if (run) {
        keep.add(run.id);
        found++;
      }
    }
  }
  for (const f of history.filter((r) => !r.ok)) {
    const laterOk = history.some((r) => r.ok && r.dayIndex > f.dayIndex);
    if (!laterOk || todayIndex - f.dayIndex <= RULES.failedDays) keep.add(f.id);
  }
  return keep;
}

function simulate(seed: number) {
  const rng = createRng(seed);
  const history: Run[] = [];
  const onDisk = new Map<string, SnapshotSummary>();
  let lastRotation = -1; // index in history of the run after which rotation last ran
  let deletedFailed = 0;

  const runBackup = (kind: 'daily' | 'weekly', i: number, ok: boolean) => {
    const date = dateOf(i);
    const run: Run = { id: `${kind}/${date}`, kind, date, ok, dayIndex: i };
    history.push(run);
    onDisk.set(run.id, {
      id: run.id,
      kind,
      date,
      status: ok ? 'ok' : 'failed',
      finishedAt: `${date}T0${kind === 'daily' ? 3 : 4}:30:00Z`,
      verification: ok ? { ok: true, level: 'quick', at: `${date}T04:59:00Z` } : undefined,
    });
    if (!ok) return; // rotation never runs after a failed backup
    const newestOk = [...onDisk.values()].filter((s) => s.status === 'ok').sort((a, b) => (a.finishedAt! < b.finishedAt! ? 1 : -1))[0];
    const plan = planRetention([...onDisk.values()], RULES, date, { latest: newestOk.id });
    expect(plan.refused).toBeUndefined();
    expect(plan.delete.map((d) => d.id)).not.toContain(newestOk.id);
    expect(plan.keep.length + plan.delete.length).toBe(onDisk.size);
    for (const d of plan.delete) {
      if (onDisk.get(d.id)!.status === 'failed') deletedFailed++;
      onDisk.delete(d.id);
    }
    lastRotation = history.length - 1;
  };

  for (let i = 0; i < 120; i++) {
    const forcedFailure = i >= 40 && i < 50; // a ten-day outage: failed runs pile up, then go
    const daily = rng.next();
    if (forcedFailure) runBackup('daily', i, false);
    else if (daily < 0.1) {
      /* missed: machine off */
    } else runBackup('daily', i, daily >= 0.22);
    if (isSunday(i)) {
      const weekly = rng.next();
      if (weekly >= 0.05) runBackup('weekly', i, weekly >= 0.15);
    }

    const rotatedAt = lastRotation >= 0 ? history[lastRotation].dayIndex : -1;
    const expected = lastRotation >= 0 ? expectedAfterRotation(history.slice(0, lastRotation + 1), rotatedAt) : new Set<string>();
    for (const r of history.slice(lastRotation + 1)) expected.add(r.id); // made after the last rotation
    expect([...onDisk.keys()].sort(), `after ${dateOf(i)} (seed ${seed})`).toEqual([...expected].sort());
  }
  return { onDisk, deletedFailed, history };
}

describe('retention over a simulated calendar', () => {
  for (const seed of [1, 7, 2026]) {
    it(`keeps exactly what the rules say every day (seed ${seed})`, () => {
      const { onDisk, deletedFailed, history } = simulate(seed);
      const okDaily = [...onDisk.values()].filter((s) => s.kind === 'daily' && s.status === 'ok');
      const okWeekly = [...onDisk.values()].filter((s) => s.kind === 'weekly' && s.status === 'ok');
      expect(okDaily).toHaveLength(30);
      expect(okWeekly.length).toBe(Math.min(12, history.filter((r) => r.kind === 'weekly' && r.ok).length));
      expect(deletedFailed).toBeGreaterThanOrEqual(10); // the outage's failed runs were removed
    });
  }
});
