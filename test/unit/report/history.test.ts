/** Nights from backup.json: duration, added and removed bytes, which nights are growth. */
import { describe, expect, it } from 'vitest';
import { nightsOf, nightsWithin } from '../../../src/report/history.js';
import type { BackupMeta } from '../../../src/repository/metadata.js';
import type { Snapshot } from '../../../src/repository/snapshots.js';

function snap(id: string, meta: Partial<BackupMeta> | undefined): Snapshot {
  const [kind, date] = id.split('/') as ['daily' | 'weekly', string];
  return { kind, date, id, dir: `/b/${id}`, meta: meta as BackupMeta | undefined };
}
const totals = (bytes: number, addedBytes: number) => ({ files: 1, bytes, addedFiles: 1, addedBytes });

describe('nightsOf', () => {
  const snaps = [
    snap('daily/2026-12-01', { status: 'ok', startedAt: '2026-12-01T03:00:00Z', finishedAt: '2026-12-01T03:30:00Z', totals: totals(1000, 1000), warnings: [] }),
    snap('daily/2026-12-02', { status: 'ok', startedAt: '2026-12-02T03:00:00Z', finishedAt: '2026-12-02T03:02:00Z', basedOn: 'daily/2026-12-01', totals: totals(1100, 300), warnings: ['mail: 2 names vanished'] }),
    snap('daily/2026-12-03', {
      status: 'failed', startedAt: '2026-12-03T03:00:00Z', finishedAt: '2026-12-03T03:01:00Z', basedOn: 'daily/2026-12-02', warnings: [],
      components: { databases: { status: 'failed', files: 0, bytes: 0, durationMs: 1, error: 'usermgmt dump exited 2' }, mail: { status: 'ok', files: 1, bytes: 5, durationMs: 1, addedFiles: 2, addedBytes: 50 } },
    }),
    snap('daily/2026-12-04', { status: 'ok', startedAt: '2026-12-04T03:00:00Z', finishedAt: '2026-12-04T03:03:00Z', basedOn: 'daily/2026-11-20', totals: totals(1200, 100), warnings: [] }),
    snap('weekly/2026-12-04', { status: 'ok', startedAt: '2026-12-04T04:00:00Z', finishedAt: '2026-12-04T04:00:01Z', basedOn: 'daily/2026-12-04', clonedFrom: 'daily/2026-12-04', totals: totals(1200, 0), warnings: [] }),
    snap('daily/2026-12-05', undefined),
  ];
  const nights = nightsOf(snaps);

  it('one night per readable backup.json, by start time', () => {
    expect(nights.map((n) => n.id)).toEqual(['daily/2026-12-01', 'daily/2026-12-02', 'daily/2026-12-03', 'daily/2026-12-04', 'weekly/2026-12-04']);
    expect(nights.map((n) => n.durationMs)).toEqual([1_800_000, 120_000, 60_000, 180_000, 1000]);
  });

  it('removed = the base snapshot\'s bytes + added - bytes (1000 + 300 - 1100), unknown once the base is rotated away', () => {
    expect(nights[1].removedBytes).toBe(200);
    expect(nights[3].removedBytes).toBeUndefined();
  });

  it('a first full and a weekly clone are not growth; a failed night keeps its errors and its components\' added bytes', () => {
    expect(nights.map((n) => n.incremental)).toEqual([false, true, true, true, false]);
    expect(nights[2]).toMatchObject({ status: 'failed', addedBytes: 50, addedFiles: 2, errors: ['databases: usermgmt dump exited 2'] });
    expect(nights[1].warnings).toEqual(['mail: 2 names vanished']);
  });

  it('nightsWithin keeps the runs started in the last N days', () => {
    expect(nightsWithin(nights, new Date('2026-12-04T12:00:00Z'), 2).map((n) => n.id)).toEqual(['daily/2026-12-03', 'daily/2026-12-04', 'weekly/2026-12-04']);
  });
});
