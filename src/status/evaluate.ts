/**
 * Pure: facts (collect.ts) + config → the status report with its problems and Nagios state.
 * Thresholds are the contract of docs/monitoring.md.
 */
import type { Config } from '../config/schema.js';
import { ExitCode } from '../errors.js';
import { isOk } from '../repository/snapshots.js';
import type { StatusFacts } from './collect.js';
import { smartProblems, type SmartSummary } from './smart.js';
import { EXIT_FOR, worst, type StatusProblem, type StatusReport } from './types.js';

export const AGE_WARN_HOURS = 26;
export const AGE_CRIT_HOURS = 50;
export const DISK_CRIT_PERCENT = 90;
export const FULL_WARN_DAYS = 14;
export const FULL_CRIT_DAYS = 3;
export const GROWTH_WINDOW_DAYS = 14;
export const DRILL_WARN_DAYS = 92;
export const LOCK_HUNG_HOURS = 12;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const hoursSince = (iso: string, now: Date) => (now.getTime() - Date.parse(iso)) / HOUR;

/**
 * Bytes per day added by incremental snapshots finished in the last 14 days. A first full
 * backup (no basedOn) is not growth; space freed by rotation is ignored (conservative).
 */
export function growthPerDay(facts: StatusFacts): number | undefined {
  const since = facts.now.getTime() - GROWTH_WINDOW_DAYS * DAY;
  const recent = facts.snapshots.filter((s) => s.meta?.basedOn && s.meta.totals && Date.parse(s.meta.finishedAt) > since);
  if (recent.length === 0) return undefined;
  const oldest = Math.min(...recent.map((s) => Date.parse(s.meta!.finishedAt)));
  const spanDays = Math.max(1, (facts.now.getTime() - oldest) / DAY);
  return recent.reduce((n, s) => n + s.meta!.totals!.addedBytes, 0) / spanDays;
}

export function evaluateStatus(facts: StatusFacts, config: Config, extra: { smart?: SmartSummary; smartError?: string } = {}): StatusReport {
  const now = facts.now;
  const problems: StatusProblem[] = [];
  const add = (key: string, state: StatusProblem['state'], message: string) => problems.push({ key, state, message });
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
    return finish();
  }

  // newest ok snapshot, by when it finished (a backfilled --date label says nothing about age)
  const ok = facts.snapshots.filter(isOk).sort((a, b) => Date.parse(b.meta!.finishedAt) - Date.parse(a.meta!.finishedAt));
  const newest = ok[0];
  if (!newest) add('backup.none', 'CRITICAL', `no ok snapshot in ${facts.destination} yet: run \`mailbackup backup\` and check its result`);
  else {
    const ageHours = hoursSince(newest.meta!.finishedAt, now);
    report.newestOk = { id: newest.id, finishedAt: newest.meta!.finishedAt, ageHours };
    const msg = `newest ok snapshot ${newest.id} finished ${ageHours.toFixed(1)} h ago (warning after ${AGE_WARN_HOURS} h, critical after ${AGE_CRIT_HOURS} h): check cron and the last run's log`;
    if (ageHours > AGE_CRIT_HOURS) add('backup.age', 'CRITICAL', msg);
    else if (ageHours > AGE_WARN_HOURS) add('backup.age', 'WARNING', msg);
  }

  const last = facts.lastRun;
  report.lastRun = last;
  if (last && last.exitCode !== ExitCode.OK) {
    const first = last.errors[0] ?? last.warnings[0] ?? 'see the log';
    if (last.exitCode === ExitCode.WARNING) add('lastRun', 'WARNING', `last backup (${last.finishedAt}) finished with warnings: ${first}`);
    else if (last.exitCode === ExitCode.LOCKED) add('lastRun', 'WARNING', `last backup (${last.finishedAt}) did not run: another run held the lock`);
    else add('lastRun', 'CRITICAL', `last backup (${last.finishedAt}) failed with exit ${last.exitCode}: ${first}`);
  }

  if (facts.disk) {
    const d = facts.disk;
    const growth = growthPerDay(facts);
    const daysUntilFull = growth && growth > 0 ? d.freeBytes / growth : undefined;
    report.disk = { totalBytes: d.totalBytes, usedBytes: d.usedBytes, freeBytes: d.freeBytes, usedRatio: d.usedBytes / Math.max(1, d.usedBytes + d.freeBytes), growthBytesPerDay: growth, daysUntilFull };
    const warnAt = config.notify.diskUsageWarnPercent;
    const usage = `backup disk ${d.usedPercent}% full (warning at ${warnAt}%, critical at ${DISK_CRIT_PERCENT}%): lower retention and run \`mailbackup rotate\`, or use a larger disk`;
    if (d.usedPercent >= DISK_CRIT_PERCENT) add('disk.usage', 'CRITICAL', usage);
    else if (d.usedPercent >= warnAt) add('disk.usage', 'WARNING', usage);
    if (daysUntilFull !== undefined && daysUntilFull < FULL_WARN_DAYS) {
      const msg = `backup disk full in about ${daysUntilFull.toFixed(1)} days at the last ${GROWTH_WINDOW_DAYS} days' growth: free space or lower retention`;
      add('disk.full-soon', daysUntilFull < FULL_CRIT_DAYS ? 'CRITICAL' : 'WARNING', msg);
    }
  } else add('disk.unreadable', 'UNKNOWN', `cannot measure disk usage of ${facts.destination}: ${facts.diskError}`);

  const liveLock = facts.lock && !facts.lock.stale;
  if (facts.lock) {
    const ageHours = hoursSince(facts.lock.startedAt, now);
    report.lock = { ...facts.lock, ageHours };
    const who = `pid ${facts.lock.pid} on ${facts.lock.host} (\`${facts.lock.command}\` since ${facts.lock.startedAt})`;
    if (facts.lock.stale) add('lock.stale', 'WARNING', `stale lock left by ${who}, which is gone: the next run takes it over`);
    else if (ageHours > LOCK_HUNG_HOURS) add('lock.hung', 'WARNING', `lock held for ${ageHours.toFixed(1)} h by ${who}: is it hung?`);
  }

  const s = report.snapshots;
  if (!liveLock && (s.daily.ok > retention.daily || s.weekly.ok > retention.weekly)) {
    add('retention.behind', 'WARNING', `${s.daily.ok} daily / ${s.weekly.ok} weekly ok snapshots kept, retention is ${retention.daily}/${retention.weekly}: see \`mailbackup rotate --dry-run\``);
  }
  if (!liveLock && s.deleting.length > 0) {
    add('rotation.interrupted', 'WARNING', `interrupted deletion left ${s.deleting.join(', ')}: run \`mailbackup rotate\` to finish it`);
  }

  const v = newest?.meta?.verification;
  if (newest && v) report.verification.newest = { id: newest.id, at: v.at, level: v.level, ok: v.ok };
  if (newest && !v) add('verify.newest', 'WARNING', `newest snapshot ${newest.id} is not verified, so rotation deletes nothing: run \`mailbackup verify\``);
  if (newest && v && !v.ok) add('verify.newest', 'CRITICAL', `newest snapshot ${newest.id} failed verification (${v.level}, ${v.at}): run \`mailbackup verify --full ${newest.id}\` and see what is damaged`);
  report.verification.damaged = ok.filter((x) => x !== newest && x.meta!.verification?.ok === false).map((x) => x.id);
  if (report.verification.damaged.length > 0) {
    add('verify.damaged', 'WARNING', `older snapshots failed verification: ${report.verification.damaged.join(', ')}; \`mailbackup verify --full\` names the damaged files`);
  }
  const fulls = facts.snapshots.filter((x) => x.meta?.verification?.level === 'full').sort((a, b) => (a.meta!.verification!.at < b.meta!.verification!.at ? 1 : -1));
  if (fulls[0]) report.verification.lastFull = { id: fulls[0].id, at: fulls[0].meta!.verification!.at, ok: fulls[0].meta!.verification!.ok };

  if (facts.drillError) add('drill.unreadable', 'WARNING', `cannot read the newest drill report: ${facts.drillError}`);
  else if (facts.drill) {
    const ageDays = (now.getTime() - Date.parse(facts.drill.finishedAt)) / DAY;
    report.drill = { ...facts.drill, ageDays };
    if (!facts.drill.ok) add('drill.failed', 'WARNING', `the last restore drill (${facts.drill.date}) failed: see ${facts.drill.file} and run \`mailbackup drill\` again`);
    if (ageDays > DRILL_WARN_DAYS) add('drill.old', 'WARNING', `the last restore drill was ${Math.floor(ageDays)} days ago (quarterly, warning after ${DRILL_WARN_DAYS}): run \`mailbackup drill\``);
  } else if (facts.marker && (now.getTime() - Date.parse(facts.marker.createdAt)) / DAY > DRILL_WARN_DAYS) {
    // a new installation gets one quarter before its first drill is due
    add('drill.none', 'WARNING', `no restore drill in the ${DRILL_WARN_DAYS} days since this disk was prepared: run \`mailbackup drill\``);
  }

  if (extra.smart) {
    report.smart = extra.smart;
    for (const p of smartProblems(extra.smart)) add(p.key, p.state, p.message);
  } else if (extra.smartError) add('smart.unreadable', 'UNKNOWN', extra.smartError);

  return finish();
}
