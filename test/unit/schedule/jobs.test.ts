import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { jobsFor, JOBS } from '../../../src/schedule/jobs.js';
import { nextRuns, systemdRuns } from '../../helpers/cron-parse.js';

describe('cron and systemd agree', () => {
  it('every job fires at the same times from cron and from its systemd timer', () => {
    const from = new Date('2026-11-28T12:34:00Z');
    for (const job of JOBS) {
      const cron = nextRuns(`${job.cron} root true`, from, 3);
      expect(cron, job.id).toHaveLength(3);
      expect(systemdRuns(job.onCalendar, from, 3), job.id).toEqual(cron);
    }
  });
});

const base = { source: { root: '/srv/mail' }, destination: { root: '/mnt/b' }, database: {} };
const withOffsite = parseConfig({ ...base, offsite: { repositories: [{ name: 'cloud', url: 's3:https://s3/b', passwordFile: '/etc/p' }] } });

describe('jobsFor', () => {
  it('schedule adds the weekly rolling check only when offsite is configured', () => {
    expect(jobsFor(parseConfig(base))).toEqual(JOBS);
    const extra = jobsFor(withOffsite).filter((j) => !JOBS.includes(j));
    expect(extra.map((j) => j.args)).toEqual([['offsite', 'check', '--read-data-subset']]);
  });
});
