/**
 * Pure: facts (collect.ts) + config → the status report with its problems and Nagios state.
 * Thresholds are the contract of docs/monitoring.md.
 */
import type { Config } from '../config/schema.js';
import { ExitCode } from '../errors.js';
import { isOk } from '../repository/snapshots.js';
import { diskProblems } from '../repository/disk-health.js';
import type { StatusFacts } from './collect.js';
import { checkRolling } from './rolling.js';
import { checkOffsite } from './offsite.js';
import { checkForecast } from './forecast.js';
import { smartProblems, type SmartSummary } from './smart.js';
import { checkDatabases, checkDisk, checkDrill, checkLockAndRotation, checkVerification, hoursSince, type AddProblem } from './checks.js';

export { growthPerDay } from './checks.js';
import { EXIT_FOR, worst, type StatusProblem, type StatusReport } from './types.js';

const AGE_WARN_HOURS = 26;
const AGE_CRIT_HOURS = 50;

export function evaluateStatus(facts: StatusFacts, config: Config, extra: { smart?: SmartSummary; smartError?: string } = {}): StatusReport {
  const now = facts.now;
  const problems: StatusProblem[] = [];
  const add: AddProblem = (key, state, message) => problems.push({ key, state, message });
  const retention = { daily: config.retention.daily, weekly: config.retention.weekly };
  const count = (kind: string, ok: boolean) => facts.snapshots.filter((s) => s.kind === kind && isOk(s) === ok).length;
  const report: StatusReport = {
    state: 'OK',
    exitCode: 0,
    checkedAt: now.toISOString(),
    destination: facts.destination,
    problems,
    snapshots: { daily: { ok: count('daily', true), failed: count('daily', false) }, weekly: { ok: count('weekly', true), failed: count('weekly', false) }, retention, ...facts.leftovers },
    verification: { damaged: [] },
  };
  const finish = (): StatusReport => {
    report.state = worst(problems.map((p) => p.state));
    report.exitCode = EXIT_FOR[report.state];
    return report;
  };

  if (facts.destinationError) {
    add('destination', 'CRITICAL', facts.destinationError);
    checkLastRun(facts, report, add);
    return finish();
  }
  checkDiskHealth(facts, add);
  // newest ok snapshot, by when it finished (a backfilled --date label says nothing about age)
  const ok = facts.snapshots.filter(isOk).sort((a, b) => Date.parse(b.meta!.finishedAt) - Date.parse(a.meta!.finishedAt));
  checkNewest(facts, ok[0], report, add);

  checkLastRun(facts, report, add);

  checkForecast(facts, config, report, add);
  checkDisk(facts, config, report, add);
  checkLockAndRotation(facts, report, add);
  checkVerification(facts, ok, report, add);
  checkDatabases(ok, config, add);
  checkDrill(facts, report, add);
  checkRolling(facts, config, report, add);
  report.offsite = checkOffsite(facts.offsite, config, now, add);

  if (extra.smart) {
    report.smart = extra.smart;
    for (const p of smartProblems(extra.smart)) add(p.key, p.state, p.message);
  } else if (extra.smartError) add('smart.unreadable', 'UNKNOWN', extra.smartError);

  return finish();
}

function checkDiskHealth(facts: StatusFacts, add: AddProblem): void {
  if (!facts.health) return;
  const [readOnly, errors] = [facts.health.readOnly, Boolean(facts.health.errorCount)];
  const problems = diskProblems(facts.health, facts.destination);
  if (readOnly) add('destination.readOnly', 'CRITICAL', problems.shift()!);
  if (errors) add('destination.fsErrors', 'CRITICAL', problems.shift()!);
}

function checkNewest(facts: StatusFacts, newest: StatusFacts['snapshots'][number] | undefined, report: StatusReport, add: AddProblem): void {
  if (!newest) return add('backup.none', 'CRITICAL', `no ok snapshot in ${facts.destination} yet: run \`mailbackup backup\` and check its result`);
  const ageHours = hoursSince(newest.meta!.finishedAt, facts.now);
  report.newestOk = { id: newest.id, finishedAt: newest.meta!.finishedAt, ageHours };
  const msg = `newest ok snapshot ${newest.id} finished ${ageHours.toFixed(1)} h ago (warning after ${AGE_WARN_HOURS} h, critical after ${AGE_CRIT_HOURS} h): check cron and the last run's log`;
  if (ageHours > AGE_CRIT_HOURS) add('backup.age', 'CRITICAL', msg);
  else if (ageHours > AGE_WARN_HOURS) add('backup.age', 'WARNING', msg);
}

function checkLastRun(facts: StatusFacts, report: StatusReport, add: AddProblem): void {
  const last = facts.lastRun;
  report.lastRun = last;
  if (!last || last.exitCode === ExitCode.OK) return;
  const first = last.errors[0] ?? last.warnings[0] ?? 'see the log';
  if (last.exitCode === ExitCode.WARNING) add('lastRun', 'WARNING', `last backup (${last.finishedAt}) finished with warnings: ${first}`);
  else if (last.exitCode === ExitCode.LOCKED) add('lastRun', 'WARNING', `last backup (${last.finishedAt}) did not run: another run held the lock`);
  else add('lastRun', 'CRITICAL', `last backup (${last.finishedAt}) failed with exit ${last.exitCode}${last.diskFault ? ' because the backup disk failed' : ''}: ${first}`);
}
