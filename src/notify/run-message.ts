/**
 * Pure: what a run's notification mail says. The admin reading it at 07:00 must learn what
 * failed and why, what is still safe, and what to do next, without logging in first.
 */
import { outcomeOf, type RunOutcome } from '../errors.js';
import type { RunReport } from './index.js';

export interface MailContent {
  subject: string;
  text: string;
  /** an HTML alternative (the report's charts); the text part stays for every other client */
  html?: string;
}

export const LOG_TAIL = 50;
const DEBUG_LINE = /^\S+ \S+ (DEBUG|TRACE)\b/;

/** The exit code's outcome (errors.ts), raised by what the run recorded: a failure or warning counts even under exit 0. */
export function runOutcome(report: RunReport): RunOutcome {
  const byCode = outcomeOf(report.exitCode);
  if (byCode === 'INTERRUPTED') return byCode;
  if (byCode === 'FAILED' || report.failures.length > 0) return 'FAILED';
  if (byCode === 'WARNING' || report.warnings.length > 0) return 'WARNING';
  return 'OK';
}

/** Whether this run mails at all: failures always; warnings and success as configured. */
export function shouldMail(report: RunReport, opts: { onWarning: boolean; onSuccess: boolean }): boolean {
  const outcome = runOutcome(report);
  if (outcome === 'FAILED' || outcome === 'INTERRUPTED') return true;
  if (outcome === 'WARNING') return opts.onWarning || opts.onSuccess;
  return opts.onSuccess;
}

/** The "what happened" half of a message: house style puts the advice after "; ". */
function oneLine(s: string, max = 120): string {
  const flat = s.split('; ')[0].replace(/\s+/g, ' ').trim();
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
}

export function formatAge(ms: number): string {
  if (ms < 0) return 'in the future (check the clock)';
  const h = Math.floor(ms / 3_600_000);
  if (h < 1) return `${Math.max(1, Math.round(ms / 60_000))} min ago`;
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} days ago`;
}

export function runSubject(report: RunReport): string {
  const outcome = runOutcome(report);
  const head = `[mailbackup] ${outcome} ${report.command} on ${report.host}`;
  const first = report.failures[0];
  if (first) {
    const more = report.failures.length > 1 ? ` (+${report.failures.length - 1} more)` : '';
    return `${head}: ${first.step} — ${oneLine(first.error)}${more}`;
  }
  if (outcome === 'WARNING' && report.warnings[0]) return `${head}: ${oneLine(report.warnings[0])}`;
  if (outcome === 'INTERRUPTED') return `${head}: interrupted`;
  return report.snapshot ? `${head}: ${report.snapshot}` : head;
}

function safeSection(report: RunReport, now: number): string[] {
  const l = report.latest;
  if (!l && report.failures.some((f) => f.step === 'preflight')) {
    // an unmounted disk is not an empty one: do not claim the backups are gone
    return ['Unknown: the backup disk could not be used (see above), so its snapshots were not read; this run changed nothing on it.'];
  }
  if (!l) return ['NOTHING is safe yet: there is no ok snapshot on the backup disk.'];
  const when = l.finishedAt ? `, finished ${l.finishedAt} (${formatAge(now - Date.parse(l.finishedAt))})` : '';
  const where = report.destinationRoot ? ` in ${report.destinationRoot}` : '';
  return [`latest -> ${l.id}${when}${where}. Restores use it until a new backup succeeds.`];
}

/** The admin's next step, chosen by the first failed step. */
export function nextStep(report: RunReport): string {
  const step = report.failures[0]?.step ?? '';
  const rerun = 'then run `mailbackup backup` by hand and check `mailbackup status`.';
  if (/preflight|destination|mount|marker/.test(step)) {
    return `Check that the backup disk is mounted${report.destinationRoot ? ` at ${report.destinationRoot}` : ''} and holds the .mailbackup marker, ${rerun}`;
  }
  if (/database|dump|mysql|mariadb/.test(step)) {
    return `Check the MariaDB container (docker ps; docker logs <container>) and database.credentialsFile, ${rerun}`;
  }
  if (/lock/.test(step)) return 'Another mailbackup run holds the lock: `mailbackup status` shows which; wait for it or remove a stale .lock.';
  if (/verify|manifest|integrity/.test(step)) return `Run \`mailbackup verify --full\` on the snapshot, check the disk (status --smart), ${rerun}`;
  if (/space|disk|ENOSPC/i.test(step) || report.failures.some((f) => /ENOSPC|no space/i.test(f.error))) {
    return `The backup disk is full: lower retention and run \`mailbackup rotate\`, or move to a larger disk, ${rerun}`;
  }
  if (step) return `Read the log lines below (full JSON log in the log directory), fix the cause, ${rerun}`;
  if (report.warnings.length) return 'Nothing is lost: read the warnings above and act on them before they become failures.';
  return 'Nothing to do.';
}

export function runMail(report: RunReport, now = Date.parse(report.finishedAt) || Date.now()): MailContent {
  const outcome = runOutcome(report);
  const text: string[] = [
    `mailbackup ${report.command} on ${report.host}: ${outcome} (exit code ${report.exitCode})`,
    `started ${report.startedAt}, finished ${report.finishedAt}`,
  ];
  if (report.snapshot) text.push(`snapshot: ${report.snapshot}${outcome === 'OK' || outcome === 'WARNING' ? '' : ' (not made, or marked failed)'}`);
  if (report.failures.length) {
    text.push('', 'What failed:');
    for (const f of report.failures) text.push(`  - ${f.step}: ${f.error}`);
  }
  if (report.warnings.length) {
    text.push('', 'Warnings:');
    for (const w of report.warnings) text.push(`  - ${w}`);
  }
  text.push('', 'What is still safe:', `  ${safeSection(report, now).join('\n  ')}`);
  text.push('', 'Next step:', `  ${nextStep(report)}`);
  // debug lines (spawned argv, per-pass timings) would push the errors out of the tail
  const lines = report.logLines.filter((l) => !DEBUG_LINE.test(l));
  const tail = lines.slice(-LOG_TAIL);
  if (tail.length) {
    const skipped = lines.length - tail.length;
    const note = skipped ? ` (${skipped} earlier line${skipped === 1 ? '' : 's'} omitted)` : '';
    text.push('', `Last ${tail.length} log line${tail.length === 1 ? '' : 's'}${note}:`, ...tail);
  }
  return { subject: runSubject(report), text: text.join('\n') + '\n' };
}
