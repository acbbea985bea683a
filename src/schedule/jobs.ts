/**
 * What runs when (FR-01, OR-05, OR-06): one list, rendered both as cron lines and as systemd
 * timers, so the two never disagree. Pure data (unit-tested).
 */
import { accessSync, constants, readFileSync, realpathSync } from 'node:fs';

export interface Job {
  /** unit name suffix and cron comment: mailbackup-<id> */
  id: string;
  description: string;
  /** arguments after the global options */
  args: string[];
  /** 5-field cron schedule */
  cron: string;
  /** systemd OnCalendar= */
  onCalendar: string;
  /** exit codes that are results, not failures (Nagios states of status, warnings of backup) */
  successExitStatus: number[];
  /** units this job must start after when both are due (catch-up after boot with Persistent=true) */
  after: string[];
  /** `--quiet` in cron only: cron mails any output, the journal keeps it all */
  quietInCron: boolean;
}

export const JOBS: Job[] = [
  {
    id: 'backup',
    description: 'daily backup of the mail server',
    args: ['backup'],
    cron: '0 3 * * *',
    onCalendar: '*-*-* 03:00:00',
    successExitStatus: [1],
    after: [],
    quietInCron: true,
  },
  {
    id: 'weekly',
    description: 'weekly snapshot of the mail server',
    args: ['backup', '--weekly'],
    cron: '0 4 * * 0',
    onCalendar: 'Sun *-*-* 04:00:00',
    successExitStatus: [1],
    after: ['backup'],
    quietInCron: true,
  },
  {
    // after the backup (and Sunday's weekly), so its reads do not compete with the backup's
    id: 'rolling-verify',
    description: 'daily re-read of 1/DAYS of the backup data (verify.rollingDays)',
    args: ['verify', '--rolling'],
    cron: '30 5 * * *',
    onCalendar: '*-*-* 05:30:00',
    successExitStatus: [],
    after: ['backup', 'weekly'],
    quietInCron: true,
  },
  {
    id: 'status',
    description: 'hourly backup health check, mails once per problem',
    args: ['status', '--notify'],
    cron: '17 * * * *',
    onCalendar: '*-*-* *:17:00',
    successExitStatus: [1, 2, 3],
    after: [],
    quietInCron: true,
  },
  {
    id: 'smart',
    description: 'monthly SMART check of the backup disk',
    args: ['status', '--smart', '--notify'],
    cron: '30 5 1 * *',
    onCalendar: '*-*-01 05:30:00',
    successExitStatus: [1, 2, 3],
    after: ['backup'],
    quietInCron: true,
  },
  {
    // Monday morning, after the night's backup and rolling verification
    id: 'report',
    description: 'weekly report mailed to the admin: runs, checks, disk forecast',
    args: ['report', '--mail', '--smart'],
    cron: '0 7 * * 1',
    onCalendar: 'Mon *-*-* 07:00:00',
    successExitStatus: [],
    after: ['backup', 'rolling-verify'],
    quietInCron: true,
  },
  {
    id: 'drill',
    description: 'quarterly recovery drill',
    args: ['drill'],
    cron: '0 6 15 1,4,7,10 *',
    onCalendar: '*-01,04,07,10-15 06:00:00',
    successExitStatus: [1],
    after: ['backup', 'weekly'],
    quietInCron: true,
  },
];

/**
 * With an offsite copy configured: a weekly restic check that reads the next part of the data
 * (`--read-data-subset` without N/T rolls over offsite.checkWeeks parts, one per run).
 */
const OFFSITE_CHECK: Job = {
  id: 'offsite-check',
  description: 'weekly check of the offsite copies, reading a different part of the data each week',
  args: ['offsite', 'check', '--read-data-subset'],
  cron: '0 7 * * 6',
  onCalendar: 'Sat *-*-* 07:00:00',
  successExitStatus: [],
  after: ['backup'],
  quietInCron: true,
};

/** The jobs for this config: the fixed list, plus the offsite check when offsite is set up. */
export function jobsFor(config?: { offsite?: unknown }): Job[] {
  return config?.offsite ? [...JOBS, OFFSITE_CHECK] : JOBS;
}

/** Single-quotes for /bin/sh when needed. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * How to start this very mailbackup from cron or systemd: the real path of an executable
 * launcher (the packaged program), or node plus the real path of a script that is not executable
 * (dist/mailbackup.mjs in a checkout).
 */
export function selfCommand(script = process.argv[1], node = process.execPath): string[] {
  const path = realpathSync(script);
  try {
    accessSync(path, constants.X_OK);
    if (readFileSync(path, { encoding: 'utf8', flag: 'r' }).startsWith('#!')) return [path];
  } catch {
    /* not executable: run it with node */
  }
  return [realpathSync(node), path];
}

export function jobCommand(self: string[], configFile: string, job: Job, quiet: boolean): string[] {
  return [...self, '--config', configFile, ...(quiet ? ['--quiet'] : []), ...job.args];
}
