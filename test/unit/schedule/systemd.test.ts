import { describe, expect, it } from 'vitest';
import { JOBS } from '../../../src/schedule/jobs.js';
import { renderUnits } from '../../../src/schedule/systemd.js';

describe('systemd units', () => {
  const units = renderUnits(['/usr/local/bin/mailbackup'], '/etc/mailbackup/config.yml');

  it('pairs a low-priority oneshot service with a persistent timer for every job', () => {
    expect(units.map((u) => u.name)).toContain('mailbackup-backup.timer');
    for (const job of JOBS) {
      const svc = units.find((u) => u.name === `mailbackup-${job.id}.service`)!.text;
      const tmr = units.find((u) => u.name === `mailbackup-${job.id}.timer`)!.text;
      for (const line of ['Type=oneshot', 'Nice=19', 'IOSchedulingClass=idle', 'CPUQuota=30%']) expect(svc).toContain(line);
      expect(svc).toContain(`ExecStart=/usr/local/bin/mailbackup --config /etc/mailbackup/config.yml ${job.args.join(' ')}\n`);
      expect(tmr).toContain('Persistent=true');
      expect(tmr).toContain(`OnCalendar=${job.onCalendar}`);
    }
  });

  it('orders the weekly run and the drill after the daily backup instead of killing it', () => {
    const weekly = units.find((u) => u.name === 'mailbackup-weekly.service')!.text;
    expect(weekly).toMatch(/^After=.*mailbackup-backup\.service/m);
    expect(units.map((u) => u.text).join('\n')).not.toMatch(/^Conflicts=/m);
  });

  it('orders the rolling verification after the backup and treats its damage exit (2) as a failure', () => {
    const svc = units.find((u) => u.name === 'mailbackup-rolling-verify.service')!.text;
    expect(svc).toMatch(/^After=.*mailbackup-backup\.service.*mailbackup-weekly\.service/m);
    expect(svc).toContain('ExecStart=/usr/local/bin/mailbackup --config /etc/mailbackup/config.yml verify --rolling\n');
    expect(svc).not.toMatch(/^SuccessExitStatus=.*\b2\b/m);
  });
});
