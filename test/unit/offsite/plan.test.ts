/** The offsite push plan, retention arguments, the rolling check's parts and snapshot resolution (pure). */
import { describe, expect, it } from 'vitest';
import { forgetArgs, nextRollingPart, parseSubset, planPush, resolvePushed, resticTime } from '../../../src/offsite/plan.js';
import type { ResticSnapshot } from '../../../src/tools/restic.js';

const snap = (id: string, tag: string, time: string, host = 'mx'): ResticSnapshot => ({ id, short_id: id.slice(0, 8), time, hostname: host, tags: ['mailbackup', tag], paths: ['/x'] });
const remote = [snap('aaaa1111', 'daily/2026-11-01', '2026-11-01T03:10:00Z'), snap('bbbb2222', 'daily/2026-11-02', '2026-11-02T03:10:00Z'), snap('cccc3333', 'daily/2026-11-03', '2026-11-03T03:10:00Z', 'other')];

describe('offsite push plan', () => {
  it('a snapshot already pushed is skipped', () => {
    expect(planPush({ id: 'daily/2026-11-01', date: '2026-11-01', finishedAt: '2026-11-01T03:10:00Z' }, remote, 'mx')).toEqual({ action: 'skip', snapshot: 'daily/2026-11-01', existing: 'aaaa1111' });
  });
  it("the parent is this host's newest earlier copy, the tags are mailbackup and the id", () => {
    const p = planPush({ id: 'daily/2026-11-04', date: '2026-11-04', finishedAt: '2026-11-04T03:10:00Z' }, remote, 'mx');
    expect(p).toMatchObject({ action: 'push', parent: 'bbbb2222', tags: ['mailbackup', 'daily/2026-11-04'], host: 'mx' });
    const backfill = planPush({ id: 'daily/2026-10-30', date: '2026-10-30', finishedAt: '2026-11-04T03:10:00Z' }, remote, 'mx');
    expect(backfill).toMatchObject({ action: 'push', parent: 'bbbb2222' });
    expect(planPush({ id: 'daily/2026-11-04', date: '2026-11-04', finishedAt: '2026-11-04T03:10:00Z' }, [], 'mx')).toMatchObject({ action: 'push', parent: undefined });
  });
  it('the restic time is the date label with the time of day it finished', () => {
    expect(resticTime('2026-10-30', '2026-11-04T03:10:05')).toBe('2026-10-30 03:10:05');
  });
});

describe('offsite retention and checks', () => {
  it('forget keeps per host, by day, week and month, and prunes', () => {
    expect(forgetArgs({ daily: 7, weekly: 8, monthly: 0 }, 'mx')).toEqual(['--tag', 'mailbackup', '--host', 'mx', '--group-by', 'host', '--keep-daily', '7', '--keep-weekly', '8', '--prune']);
    expect(forgetArgs({ daily: 0, weekly: 0, monthly: 0 }, 'mx')).toBeUndefined();
  });
  it('the rolling check walks 1..T and starts over; a changed T starts at 1', () => {
    let part = nextRollingPart(undefined, 3);
    const seen = [part.n];
    for (let i = 0; i < 4; i++) seen.push((part = nextRollingPart(part, 3)).n);
    expect(seen).toEqual([1, 2, 3, 1, 2]);
    expect(nextRollingPart({ n: 5, t: 12 }, 6)).toEqual({ n: 1, t: 6 });
  });
  it('--read-data-subset takes N/T only', () => {
    expect(parseSubset('3/12')).toEqual({ n: 3, t: 12 });
    for (const bad of ['0/3', '4/3', '10%', 'x']) expect(() => parseSubset(bad)).toThrow(/expected N\/T/);
  });
  it('SNAPSHOT resolves latest, a date (daily first) or an id', () => {
    expect(resolvePushed(remote, 'latest', 'r').mailbackupId).toBe('daily/2026-11-03');
    expect(resolvePushed(remote, '2026-11-01', 'r').id).toBe('aaaa1111');
    expect(resolvePushed(remote, 'daily/2026-11-02', 'r').id).toBe('bbbb2222');
    expect(() => resolvePushed(remote, 'weekly/2026-11-02', 'r')).toThrow(/no snapshot weekly\/2026-11-02 in offsite repository r \(newest: .*daily\/2026-11-03\)/);
  });
});

// An offsite SNAPSHOT argument goes through the same parser as a local one (repository/layout.ts):
// a date that does not exist is refused before restic's list is searched.
const pushed: ResticSnapshot[] = [
  { id: 'aaaa1111', short_id: 'aaaa1111', time: '2026-02-28T03:10:00Z', hostname: 'mx', tags: ['mailbackup', 'daily/2026-02-28'], paths: ['/x'] },
  { id: 'bbbb2222', short_id: 'bbbb2222', time: '2026-03-01T03:10:00Z', hostname: 'mx', tags: ['mailbackup', 'weekly/2026-03-01'], paths: ['/x'] },
];

describe('offsite SNAPSHOT argument', () => {
  it('a date that does not exist (2026-02-30) is refused as a spec, not searched for', () => {
    expect(() => resolvePushed(pushed, '2026-02-30', 'r')).toThrow(/snapshot "2026-02-30" is not latest, YYYY-MM-DD/);
    expect(() => resolvePushed(pushed, 'weekly/2026-02-30', 'r')).toThrow(/is not latest/);
    expect(() => resolvePushed(pushed, 'monthly/2026-02-28', 'r')).toThrow(/is not latest/);
  });
  it('a real date finds the daily copy, else the weekly one', () => {
    expect(resolvePushed(pushed, '2026-02-28', 'r').id).toBe('aaaa1111');
    expect(resolvePushed(pushed, '2026-03-01', 'r').mailbackupId).toBe('weekly/2026-03-01');
  });
});
