/** The offsite part of status: problems by age, push errors and checks; its metrics. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { checkOffsite, offsiteMetricFamilies } from '../../../src/status/offsite.js';

const base = { source: { root: '/srv/mail' }, destination: { root: '/mnt/b' }, database: {} };
const withOffsite = parseConfig({ ...base, offsite: { repositories: [{ name: 'cloud', url: 's3:https://s3/b', passwordFile: '/etc/p' }] } });

describe('offsite status', () => {
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
});
