/**
 * The offsite decisions (pure): push plans, retention arguments, the rolling check's parts,
 * snapshot resolution, restic's failure messages, environment files, and the status part.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { updateOffsiteState } from '../../src/offsite/state.js';
import { parseConfig } from '../../src/config/load.js';
import { forgetArgs, nextRollingPart, parseSubset, planPush, resolvePushed, resticTime } from '../../src/offsite/plan.js';
import { checkOffsite, offsiteMetricFamilies } from '../../src/status/offsite.js';
import { classifyResticError, parseEnvironmentFile, redactUrl, type ResticSnapshot } from '../../src/tools/restic.js';
import { jobsFor, JOBS } from '../../src/schedule/jobs.js';

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

describe('restic adapter parsing', () => {
  it("classifies restic 0.14's messages", () => {
    expect(classifyResticError('Fatal: wrong password or no key found')).toBe('wrong-password');
    expect(classifyResticError('Fatal: unable to open config file: client.Head: Head "http://127.0.0.1:1/config": dial tcp 127.0.0.1:1: connect: connection refused\nIs there a repository at the following location?')).toBe('unreachable');
    expect(classifyResticError('Fatal: unable to open config file: Stat: stat /x/config: no such file or directory\nIs there a repository at the following location?')).toBe('no-repository');
    expect(classifyResticError('unable to remove <snapshot/d2bde4f172> from the repository\nblob not removed, server response: 403 Forbidden (403)')).toBe('forbidden');
    expect(classifyResticError('Fatal: unable to create lock in backend: repository is already locked by PID 1')).toBe('locked');
  });
  it('masks a password in a URL', () => {
    expect(redactUrl('rest:https://user:secret@host:8000/repo')).toBe('rest:https://user:***@host:8000/repo');
    expect(redactUrl('s3:https://s3.example.com/bucket')).toBe('s3:https://s3.example.com/bucket');
  });
  it('reads KEY=VALUE environment files', () => {
    expect(parseEnvironmentFile('# S3\nexport AWS_ACCESS_KEY_ID=AK\nAWS_SECRET_ACCESS_KEY="s e"\n\n', 'f')).toEqual({ AWS_ACCESS_KEY_ID: 'AK', AWS_SECRET_ACCESS_KEY: 's e' });
    expect(() => parseEnvironmentFile('oops', 'f')).toThrow(/f line 1: expected KEY=VALUE/);
  });
});

const base = { source: { root: '/srv/mail' }, destination: { root: '/mnt/b' }, database: {} };
const withOffsite = parseConfig({ ...base, offsite: { repositories: [{ name: 'cloud', url: 's3:https://s3/b', passwordFile: '/etc/p' }] } });

describe('offsite config, status and schedule', () => {
  it('defaults: after never, 7/8/12, warning after 2 days, critical after 8; names unique', () => {
    expect(withOffsite.offsite).toMatchObject({ after: 'never', retention: { daily: 7, weekly: 8, monthly: 12 }, warnAfterDays: 2, criticalAfterDays: 8, checkWeeks: 12 });
    const dup = { name: 'a', url: '/r', passwordFile: '/p' };
    expect(() => parseConfig({ ...base, offsite: { repositories: [dup, dup] } })).toThrow(/unique/);
  });
  it('age thresholds, push errors and failed checks become problems', () => {
    const now = new Date('2026-11-10T12:00:00Z');
    const state = (finished: string, extra = {}) => [{ name: 'cloud', url: 's3:https://s3/b', state: { lastPush: { at: finished, snapshot: 'daily/x', snapshotFinishedAt: finished, resticId: 'a' }, ...extra } }];
    const problems = (facts: Parameters<typeof checkOffsite>[0]) => {
      const out: [string, string][] = [];
      checkOffsite(facts, withOffsite, now, (k, s) => out.push([k, s]));
      return out;
    };
    expect(problems(state('2026-11-09T12:00:00Z'))).toEqual([]);
    expect(problems(state('2026-11-07T12:00:00Z'))).toEqual([['offsite.cloud.age', 'WARNING']]);
    expect(problems(state('2026-11-01T12:00:00Z'))).toEqual([['offsite.cloud.age', 'CRITICAL']]);
    expect(problems([{ name: 'cloud', url: 'u', state: {} }])).toEqual([['offsite.cloud.none', 'WARNING']]);
    const failed = state('2026-11-10T03:00:00Z', { lastPushError: { at: '2026-11-10T04:00:00Z', error: 'down' }, lastCheck: { at: '2026-11-10T05:00:00Z', mode: '--read-data', ok: false } });
    expect(problems(failed)).toEqual([['offsite.cloud.push', 'WARNING'], ['offsite.cloud.check', 'CRITICAL']]);
  });
  it('metrics carry the repository label and leave out what never happened', () => {
    const fam = offsiteMetricFamilies([{ name: 'cloud', url: 'u', newest: { snapshot: 'daily/x', finishedAt: '2026-11-10T03:00:00Z', pushedAt: '2026-11-10T03:30:00Z', ageDays: 0.1 } }]);
    const by = Object.fromEntries(fam.map((f) => [f.name, f.samples]));
    expect(by.mailbackup_offsite_newest_snapshot_timestamp_seconds).toEqual([{ labels: { repository: 'cloud' }, value: Date.parse('2026-11-10T03:00:00Z') / 1000 }]);
    expect(by.mailbackup_offsite_last_check_ok).toEqual([]);
    expect(by.mailbackup_offsite_last_push_failed).toEqual([{ labels: { repository: 'cloud' }, value: 0 }]);
  });
  it('schedule adds the weekly rolling check only when offsite is configured', () => {
    expect(jobsFor(parseConfig(base))).toEqual(JOBS);
    const extra = jobsFor(withOffsite).filter((j) => !JOBS.includes(j));
    expect(extra.map((j) => j.args)).toEqual([['offsite', 'check', '--read-data-subset']]);
  });
});

describe('offsite state', () => {
  it('is never written onto a destination without its marker (the disk may be away)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mb-offsite-state-'));
    try {
      const config = parseConfig({ ...base, destination: { root: dir }, offsite: withOffsite.offsite });
      expect(() => updateOffsiteState(config, 'cloud', { lastCheck: { at: 'x', mode: 'structure', ok: true } })).toThrow(/marker|\.mailbackup/);
      expect(existsSync(join(dir, '.state'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
