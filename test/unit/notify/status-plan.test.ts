import { describe, expect, it } from 'vitest';
import { planStatusNotice, statusMail, type StatusReport } from '../../../src/notify/status-plan.js';

const H = 3_600_000;
const t0 = new Date('2026-11-28T08:00:00Z');
const at = (hours: number) => new Date(t0.getTime() + hours * H);
const stale = (msg = 'newest ok snapshot is 27 h old'): StatusReport => ({
  state: 'CRITICAL',
  problems: [{ key: 'backup-age', state: 'CRITICAL', message: msg }],
});
const ok: StatusReport = { state: 'OK', problems: [] };

describe('status --notify plan', () => {
  it('alerts once, stays quiet while nothing changes, reminds after 24 h, and reports recovery once', () => {
    const a = planStatusNotice(undefined, stale(), t0);
    expect(a.action).toBe('alert');
    const b = planStatusNotice(a.next, stale('newest ok snapshot is 28 h old'), at(1));
    expect(b.action).toBe('none');
    const c = planStatusNotice(b.next, stale(), at(23.5));
    expect(c.action).toBe('none');
    const d = planStatusNotice(c.next, stale(), at(24));
    expect(d.action).toBe('reminder');
    const e = planStatusNotice(d.next, ok, at(25));
    expect(e.action).toBe('recovery');
    expect(planStatusNotice(e.next, ok, at(26)).action).toBe('none');
  });

  it('mails again when the problem set changes', () => {
    const a = planStatusNotice(undefined, stale(), t0);
    const more: StatusReport = {
      state: 'CRITICAL',
      problems: [...stale().problems, { key: 'disk', state: 'WARNING', message: '91% full' }],
    };
    expect(planStatusNotice(a.next, more, at(1)).action).toBe('changed');
  });

  it('neither alerts nor recovers on UNKNOWN', () => {
    const a = planStatusNotice(undefined, stale(), t0);
    const u = planStatusNotice(a.next, { state: 'UNKNOWN', problems: [] }, at(1));
    expect(u.action).toBe('none');
    expect(u.next.alerting).toBe(true);
    expect(planStatusNotice(undefined, ok, t0).action).toBe('none');
  });

  it('writes subjects that say state, host and the first problem', () => {
    expect(statusMail('alert', stale(), 'mail01').subject).toBe(
      '[mailbackup] CRITICAL on mail01: backup-age — newest ok snapshot is 27 h old',
    );
    expect(statusMail('recovery', ok, 'mail01').subject).toBe('[mailbackup] RECOVERED on mail01: status OK');
  });
});
