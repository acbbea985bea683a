/** The /etc/cron.d/mailbackup file: system crontab format, with the user field. Pure. */
import { JOBS, jobCommand, shellQuote, type Job } from './jobs.js';

export const CRON_PATH = '/etc/cron.d/mailbackup';

export function renderCron(self: string[], configFile: string, user = 'root', jobs: Job[] = JOBS): string {
  const lines = [
    '# mailbackup schedule, written by `mailbackup schedule --cron`. Edit times here; rerun to regenerate.',
    '# Overlap is harmless: every writing run takes the destination lock (a weekly run waits for the daily).',
    'SHELL=/bin/sh',
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    '',
  ];
  for (const job of jobs) {
    // `%` means newline to cron: escape it wherever a path might contain one
    const cmd = jobCommand(self, configFile, job, job.quietInCron).map(shellQuote).join(' ').replace(/%/g, '\\%');
    lines.push(`# ${job.description}`, `${job.cron} ${user} ${cmd}`);
  }
  return lines.join('\n') + '\n';
}
