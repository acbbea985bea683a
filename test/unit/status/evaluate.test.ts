/** The status verdict from facts: every state and threshold a monitoring system relies on. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import type { BackupMeta } from '../../../src/repository/metadata.js';
import type { Snapshot } from '../../../src/repository/snapshots.js';
import type { StatusFacts } from '../../../src/status/collect.js';
import { evaluateStatus, growthPerDay } from '../../../src/status/evaluate.js';

const NOW = new Date('2026-11-28T09:00:00Z');
const GiB = 1024 ** 3;
const config = parseConfig({ source: { root: '/srv' }, destination: { root: '/backup' }, database: {}, retention: { daily: 3, weekly: 2 } });
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();

function snap(date: string, finishedHoursAgo: number, extra: Partial<BackupMeta> = {}, kind: 'daily' | 'weekly' = 'daily'): Snapshot {
  const meta = {
    date,
    kind,
    status: 'ok',
    finishedAt: hoursAgo(finishedHoursAgo),
    basedOn: 'daily/2026-11-01',
    totals: { files: 10, bytes: 10 * GiB, addedFiles: 1, addedBytes: GiB },
    verification: { at: hoursAgo(finishedHoursAgo), level: 'quick', ok: true },
    databases: { usermgmt: { file: 'mysql/usermgmt.sql.gz', bytes: 10, sha256: 'x', tables: {}, status: 'ok' } },
    ...extra,
  } as BackupMeta;
  return { kind, date, id: `${kind}/${date}`, dir: `/backup/${kind}/${date}`, meta };
}

function facts(over: Partial<StatusFacts> = {}): StatusFacts {
  return {
    now: NOW,
    destination: '/backup',
    marker: { format: 1, createdAt: '2026-10-01T00:00:00Z' },
    snapshots: [snap('2026-11-27', 30 - 24), snap('2026-11-28', 5)],
    leftovers: { partial: [], deleting: [] },
    lastRun: { command: 'backup', runId: 'r', startedAt: hoursAgo(6), finishedAt: hoursAgo(5), exitCode: 0, errors: [], warnings: [] },
    disk: { usedPercent: 40, totalBytes: 1000 * GiB, usedBytes: 400 * GiB, freeBytes: 600 * GiB },
    rolling: { format: 1, days: 1, since: hoursAgo(5), slices: [{ slice: 0, at: hoursAgo(4), ok: true, snapshots: [], files: 0, hashed: 0, bytes: 0 }] },
    ...over,
  };
}
const keys = (r: ReturnType<typeof evaluateStatus>) => r.problems.map((p) => `${p.key}=${p.state}`);

describe('evaluateStatus', () => {
  it('fresh ok backup: OK, exit 0, with the facts filled in', () => {
    const r = evaluateStatus(facts(), config);
    expect(keys(r)).toEqual([]);
    expect(r).toMatchObject({ state: 'OK', exitCode: 0, newestOk: { id: 'daily/2026-11-28' }, snapshots: { daily: { ok: 2, failed: 0 } } });
    expect(r.disk!.usedRatio).toBeCloseTo(0.4);
  });

  it('ages the newest ok snapshot by its finish time, not its date label', () => {
    const stale = evaluateStatus(facts({ snapshots: [snap('2026-11-28', 30)] }), config);
    expect(keys(stale)).toEqual(['backup.age=WARNING']);
    expect(stale.exitCode).toBe(1);
    expect(keys(evaluateStatus(facts({ snapshots: [snap('2026-11-28', 51)] }), config))).toEqual(['backup.age=CRITICAL']);
    // backfilled with an old --date label, but finished an hour ago
    expect(keys(evaluateStatus(facts({ snapshots: [snap('2026-01-01', 1)] }), config))).toEqual([]);
  });

  it('a newest snapshot without a database dump is WARNING, unless database.enabled is false', () => {
    const none = facts({ snapshots: [snap('2026-11-28', 5, { databases: {} })] });
    const r = evaluateStatus(none, config);
    expect(keys(r)).toEqual(['databases.none=WARNING']);
    expect(r.problems[0].message).toMatch(/P0/);
    expect(keys(evaluateStatus(facts({ snapshots: [snap('2026-11-28', 5, { databases: { usermgmt: { file: 'f', bytes: 0, sha256: '', tables: {}, status: 'failed' } } })] }), config))).toEqual(['databases.none=WARNING']);
    const off = parseConfig({ source: { root: '/srv' }, destination: { root: '/backup' }, database: { enabled: false }, retention: { daily: 3, weekly: 2 } });
    expect(keys(evaluateStatus(none, off))).toEqual([]);
  });

  it('no ok snapshot at all is CRITICAL', () => {
    const r = evaluateStatus(facts({ snapshots: [snap('2026-11-28', 2, { status: 'failed' })], lastRun: undefined }), config);
    expect(keys(r)).toEqual(['backup.none=CRITICAL']);
    expect(r.exitCode).toBe(2);
  });

  it('a failed last run is CRITICAL, warnings and a held lock are WARNING', () => {
    const run = (exitCode: number) => ({ command: 'backup', runId: 'r', startedAt: hoursAgo(2), finishedAt: hoursAgo(1), exitCode, errors: ['mariadb-dump usermgmt exited 2'], warnings: ['rsync: some files vanished'] });
    const failed = evaluateStatus(facts({ lastRun: run(2) }), config);
    expect(keys(failed)).toEqual(['lastRun=CRITICAL']);
    expect(failed.problems[0].message).toContain('mariadb-dump usermgmt exited 2');
    expect(keys(evaluateStatus(facts({ lastRun: run(1) }), config))).toEqual(['lastRun=WARNING']);
    expect(keys(evaluateStatus(facts({ lastRun: run(75) }), config))).toEqual(['lastRun=WARNING']);
  });

  it('a read-only destination or one with recorded filesystem errors is CRITICAL, naming the device (issue 29)', () => {
    const mount = { devNo: '7:0', mountPoint: '/backup', fsType: 'ext4', source: '/dev/sdb1', options: ['rw', 'emergency_ro'] };
    const ro = evaluateStatus(facts({ health: { mount, readOnly: true, errorCount: 1 } }), config);
    expect(keys(ro)).toEqual(['destination.readOnly=CRITICAL', 'destination.fsErrors=CRITICAL']);
    expect(ro.problems[0].message).toMatch(/read-only \(\/dev\/sdb1, remounted read-only after a filesystem error\)/);
    expect(ro.problems[1].message).toMatch(/e2fsck -f \/dev\/sdb1/);
    expect(keys(evaluateStatus(facts({ health: { mount, readOnly: false, errorCount: 0 } }), config))).toEqual([]);
  });

  it('a run that failed because the disk failed is CRITICAL, and says so, even while the destination is unusable', () => {
    const lastRun = { command: 'backup', runId: 'r', startedAt: hoursAgo(2), finishedAt: hoursAgo(1), exitCode: 2, errors: ['disk: the backup disk /dev/sdb1 turned read-only'], warnings: [], diskFault: true };
    expect(evaluateStatus(facts({ lastRun }), config).problems[0].message).toMatch(/failed with exit 2 because the backup disk failed: disk: the backup disk/);
    const gone = evaluateStatus(facts({ destinationError: 'destination /backup has no .mailbackup marker', lastRun }), config);
    expect(keys(gone)).toEqual(['destination=CRITICAL', 'lastRun=CRITICAL']);
  });

  it('disk usage warns at diskUsageWarnPercent and is critical at 90 %', () => {
    const disk = (p: number) => ({ usedPercent: p, totalBytes: 1000 * GiB, usedBytes: p * 10 * GiB, freeBytes: (100 - p) * 10 * GiB });
    expect(keys(evaluateStatus(facts({ disk: disk(79) }), config))).toEqual([]);
    expect(keys(evaluateStatus(facts({ disk: disk(80) }), config))).toEqual(['disk.usage=WARNING']);
    expect(keys(evaluateStatus(facts({ disk: disk(90) }), config))).toEqual(['disk.usage=CRITICAL']);
  });

  it('predicts the days until full from the last 14 days of added bytes', () => {
    const snaps = [snap('2026-11-10', 18 * 24, { totals: { files: 1, bytes: 1, addedFiles: 1, addedBytes: 100 * GiB } }), snap('2026-11-27', 48), snap('2026-11-28', 24)];
    const f = facts({ snapshots: snaps, disk: { usedPercent: 50, totalBytes: 20 * GiB, usedBytes: 10 * GiB, freeBytes: 10 * GiB } });
    expect(growthPerDay(f)).toBeCloseTo(GiB); // 2 GiB over 2 days; the 18-day-old snapshot is outside the window
    const r = evaluateStatus(f, config);
    expect(r.disk!.daysUntilFull).toBeCloseTo(10);
    expect(keys(r)).toEqual(['disk.full-soon=WARNING']);
    // a first full backup (no basedOn) is not growth
    expect(growthPerDay(facts({ snapshots: [snap('2026-11-28', 1, { basedOn: undefined })] }))).toBeUndefined();
  });

  it('reports the lock holder and warns about a stale one', () => {
    const lock = { pid: 4242, host: 'mail01', command: 'backup', startedAt: hoursAgo(1) };
    const live = evaluateStatus(facts({ lock: { ...lock, stale: false } }), config);
    expect(keys(live)).toEqual([]);
    expect(live.lock).toMatchObject({ pid: 4242, command: 'backup' });
    expect(keys(evaluateStatus(facts({ lock: { ...lock, stale: true } }), config))).toEqual(['lock.stale=WARNING']);
    expect(keys(evaluateStatus(facts({ lock: { ...lock, stale: false, foreign: true } }), config))).toEqual(['lock.foreign=WARNING']);
    expect(keys(evaluateStatus(facts({ lock: { ...lock, startedAt: hoursAgo(13), stale: false } }), config))).toEqual(['lock.hung=WARNING']);
  });

  it('warns when more ok snapshots are kept than retention allows, unless a run is busy', () => {
    const many = [1, 2, 3, 4].map((d) => snap(`2026-11-2${d}`, 100 - d * 20));
    expect(keys(evaluateStatus(facts({ snapshots: many }), config))).toEqual(['retention.behind=WARNING']);
    const busy = { pid: 1, host: 'h', command: 'backup', startedAt: hoursAgo(0.1), stale: false };
    expect(keys(evaluateStatus(facts({ snapshots: many, lock: busy }), config))).toEqual([]);
  });

  it('newest snapshot unverified is WARNING, failed verification CRITICAL, older damage WARNING', () => {
    expect(keys(evaluateStatus(facts({ snapshots: [snap('2026-11-28', 2, { verification: undefined })] }), config))).toEqual(['verify.newest=WARNING']);
    const bad = { at: hoursAgo(1), level: 'full' as const, ok: false };
    expect(keys(evaluateStatus(facts({ snapshots: [snap('2026-11-28', 2, { verification: bad })] }), config))).toEqual(['verify.newest=CRITICAL']);
    const r = evaluateStatus(facts({ snapshots: [snap('2026-11-27', 26 - 3, { verification: bad }), snap('2026-11-28', 2)] }), config);
    expect(keys(r)).toEqual(['verify.damaged=WARNING']);
    expect(r.verification).toMatchObject({ damaged: ['daily/2026-11-27'], lastFull: { id: 'daily/2026-11-27', ok: false } });
  });

  it('drills: none is fine for a quarter after the disk was prepared, then WARNING; old or failed drills warn', () => {
    expect(keys(evaluateStatus(facts(), config))).toEqual([]);
    expect(keys(evaluateStatus(facts({ marker: { format: 1, createdAt: '2026-01-01T00:00:00Z' } }), config))).toEqual(['drill.none=WARNING']);
    const drill = (daysAgo: number, ok = true) => ({ date: 'x', finishedAt: hoursAgo(daysAgo * 24), ok, file: '/backup/drills/x.json' });
    expect(keys(evaluateStatus(facts({ drill: drill(30) }), config))).toEqual([]);
    expect(keys(evaluateStatus(facts({ drill: drill(93) }), config))).toEqual(['drill.old=WARNING']);
    expect(keys(evaluateStatus(facts({ drill: drill(3, false) }), config))).toEqual(['drill.failed=WARNING']);
  });

  it('an unusable destination is CRITICAL; a SMART check that cannot run is UNKNOWN (exit 3)', () => {
    const gone = evaluateStatus(facts({ destinationError: 'destination /backup has no .mailbackup marker: is the disk mounted?' }), config);
    expect(gone).toMatchObject({ state: 'CRITICAL', exitCode: 2, problems: [{ key: 'destination' }] });
    const unknown = evaluateStatus(facts(), config, { smartError: 'SMART check failed: cannot run smartctl' });
    expect(unknown).toMatchObject({ state: 'UNKNOWN', exitCode: 3 });
    const failing = evaluateStatus(facts(), config, { smart: { device: '/dev/sdb', passed: false, messages: [] } });
    expect(keys(failing)).toEqual(['smart.health=CRITICAL']);
  });
});
