/**
 * systemd service + timer pairs (NFR-02: Nice=19, idle I/O, CPUQuota=30%). Pure.
 * No overlap: a oneshot service is never started twice; between jobs, After= orders runs that
 * fall due together (Persistent= catch-up after boot) and the destination lock covers the rest.
 * Conflicts= is deliberately not used: it would stop a running backup to start another job.
 */
import { JOBS, jobCommand, shellQuote, type Job } from './jobs.js';

export const UNIT_DIR = '/etc/systemd/system';

export interface UnitFile {
  name: string;
  text: string;
}

const unitName = (job: Job, ext: 'service' | 'timer') => `mailbackup-${job.id}.${ext}`;

/** systemd's own quoting in ExecStart=: double quotes, with `%` doubled (specifier escape). */
function systemdQuote(arg: string): string {
  const q = shellQuote(arg) === arg ? arg : `"${arg.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  return q.replace(/%/g, '%%');
}

function service(job: Job, self: string[], configFile: string): string {
  const after = job.after.map((id) => `mailbackup-${id}.service`);
  return [
    '[Unit]',
    `Description=mailbackup: ${job.description}`,
    'Wants=network-online.target',
    `After=${['network-online.target', 'local-fs.target', ...after].join(' ')}`,
    '',
    '[Service]',
    'Type=oneshot',
    `ExecStart=${jobCommand(self, configFile, job, false).map(systemdQuote).join(' ')}`,
    ...(job.successExitStatus.length ? [`SuccessExitStatus=${job.successExitStatus.join(' ')}`] : []),
    'Nice=19',
    'IOSchedulingClass=idle',
    'CPUQuota=30%',
    'CPUSchedulingPolicy=batch',
    // SIGTERM lets mailbackup clean up (exit 130); give it time before SIGKILL
    'KillMode=mixed',
    'TimeoutStopSec=120',
    '',
  ].join('\n');
}

function timer(job: Job): string {
  return [
    '[Unit]',
    `Description=mailbackup: ${job.description} (timer)`,
    '',
    '[Timer]',
    `OnCalendar=${job.onCalendar}`,
    'Persistent=true',
    'RandomizedDelaySec=0',
    `Unit=${unitName(job, 'service')}`,
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n');
}

export function renderUnits(self: string[], configFile: string, jobs: Job[] = JOBS): UnitFile[] {
  return jobs.flatMap((job) => [
    { name: unitName(job, 'service'), text: service(job, self, configFile) },
    { name: unitName(job, 'timer'), text: timer(job) },
  ]);
}

export const timerNames = (jobs: Job[] = JOBS) => jobs.map((j) => unitName(j, 'timer'));
