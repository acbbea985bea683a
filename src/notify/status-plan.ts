/**
 * Pure: whether an hourly `status --notify` mails. Once per problem set, again when the set
 * changes or after 24 h, and once on recovery, so an unfixed problem is a daily reminder,
 * not 24 mails a day. Problems are compared by key and state, not by message: "27 h old"
 * becoming "28 h old" is the same problem.
 */
export type HealthState = 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN';

export interface StatusReport {
  state: HealthState;
  problems: { key: string; state: string; message: string }[];
}

export interface NotifyState {
  /** true while an alert was mailed and no recovery mail has followed */
  alerting: boolean;
  state: HealthState;
  /** sorted "key=state" of the problems last mailed about */
  problems: string[];
  /** when the last alert or reminder was mailed */
  notifiedAt?: string;
  updatedAt: string;
}

export type StatusAction = 'alert' | 'changed' | 'reminder' | 'recovery' | 'none';

const REMIND_AFTER_MS = 24 * 3_600_000;

function problemSet(report: StatusReport): string[] {
  return [...new Set(report.problems.map((p) => `${p.key}=${p.state}`))].sort();
}

export function planStatusNotice(
  prev: NotifyState | undefined,
  report: StatusReport,
  now: Date,
): { action: StatusAction; next: NotifyState } {
  const updatedAt = now.toISOString();
  const set = problemSet(report);
  if (report.state === 'UNKNOWN') {
    // status could not look: neither a new problem nor a recovery; keep what we knew
    return { action: 'none', next: prev ? { ...prev, updatedAt } : { alerting: false, state: 'UNKNOWN', problems: [], updatedAt } };
  }
  if (report.state === 'OK') {
    const action = prev?.alerting ? 'recovery' : 'none';
    return { action, next: { alerting: false, state: 'OK', problems: [], updatedAt, notifiedAt: action === 'recovery' ? updatedAt : prev?.notifiedAt } };
  }
  const alerting = { alerting: true, state: report.state, problems: set, updatedAt, notifiedAt: updatedAt };
  if (!prev?.alerting) return { action: 'alert', next: alerting };
  const same = prev.problems.length === set.length && prev.problems.every((p, i) => p === set[i]) && prev.state === report.state;
  if (!same) return { action: 'changed', next: alerting };
  const last = prev.notifiedAt ? Date.parse(prev.notifiedAt) : NaN;
  if (!(now.getTime() - last < REMIND_AFTER_MS)) return { action: 'reminder', next: alerting };
  return { action: 'none', next: { ...prev, updatedAt } };
}

/** The mail for an action other than 'none'. */
export function statusMail(action: StatusAction, report: StatusReport, host: string, prev?: NotifyState): { subject: string; text: string } {
  if (action === 'recovery') {
    const was = prev?.problems.length ? prev.problems.join(', ') : 'earlier problems';
    return {
      subject: `[mailbackup] RECOVERED on ${host}: status OK`,
      text: `mailbackup status on ${host} is OK again.\n\nResolved: ${was}\n\nNo action needed.\n`,
    };
  }
  const first = report.problems[0];
  const more = report.problems.length > 1 ? ` (+${report.problems.length - 1} more)` : '';
  const tag = action === 'reminder' ? ' (still, 24 h reminder)' : action === 'changed' ? ' (changed)' : '';
  const subject = `[mailbackup] ${report.state} on ${host}: ${first ? `${first.key} — ${first.message}` : 'status'}${more}${tag}`;
  const lines = [
    `mailbackup status on ${host}: ${report.state}${tag}`,
    '',
    'Problems:',
    ...report.problems.map((p) => `  - [${p.state}] ${p.key}: ${p.message}`),
    '',
    'Next step:',
    '  Run `mailbackup status` on the server for details; fix the first problem listed.',
    '  A stale backup: check `mailbackup status` for the last run and its error, the cron/systemd timer',
    '  (`mailbackup schedule`), and that the backup disk is mounted; then run `mailbackup backup` by hand.',
    '',
    'You get this mail once per problem set, again when it changes or after 24 h, and once on recovery.',
  ];
  return { subject: subject.replace(/\s+/g, ' '), text: lines.join('\n') + '\n' };
}
