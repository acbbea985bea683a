/**
 * The individual status checks over collected facts (pure). Each fills its part of the report
 * and adds its problems; thresholds are the contract of docs/monitoring.md.
 */
import { leftByFinishedRun } from '../repository/state.js';
import type { Config } from '../config/schema.js';
import type { Snapshot } from '../repository/snapshots.js';
import type { StatusFacts } from './collect.js';
import type { StatusProblem, StatusReport } from './types.js';

const DISK_CRIT_PERCENT = 90;
const FULL_WARN_DAYS = 14;
const FULL_CRIT_DAYS = 3;
const DRILL_WARN_DAYS = 92;
const LOCK_HUNG_HOURS = 12;
const GROWTH_WINDOW_DAYS = 14;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
export const hoursSince = (iso: string, now: Date) => (now.getTime() - Date.parse(iso)) / HOUR;

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

export type AddProblem = (key: string, state: StatusProblem['state'], message: string) => void;

export function checkDisk(facts: StatusFacts, config: Config, report: StatusReport, add: AddProblem): void {
  if (facts.disk) {
    const d = facts.disk;
    // one estimate in one report: the capacity forecast (forecast.ts) once it has its 3 nights
    const f = report.forecast?.status === 'ok' ? report.forecast : undefined;
    const growth = f ? f.netPerNight : growthPerDay(facts);
    const daysUntilFull = f ? f.full.days : growth && growth > 0 ? d.freeBytes / growth : undefined;
    const basis = f ? 'the forecast\'s net growth' : `the last ${GROWTH_WINDOW_DAYS} days' growth`;
    report.disk = { totalBytes: d.totalBytes, usedBytes: d.usedBytes, freeBytes: d.freeBytes, usedRatio: d.usedBytes / Math.max(1, d.usedBytes + d.freeBytes), growthBytesPerDay: growth, daysUntilFull };
    const warnAt = config.notify.diskUsageWarnPercent;
    const usage = `backup disk ${d.usedPercent}% full (warning at ${warnAt}%, critical at ${DISK_CRIT_PERCENT}%): lower retention and run \`mailbackup rotate\`, or use a larger disk`;
    if (d.usedPercent >= DISK_CRIT_PERCENT) add('disk.usage', 'CRITICAL', usage);
    else if (d.usedPercent >= warnAt) add('disk.usage', 'WARNING', usage);
    if (daysUntilFull !== undefined && daysUntilFull < FULL_WARN_DAYS) {
      const msg = `backup disk full in about ${daysUntilFull.toFixed(1)} days at ${basis}: free space or lower retention`;
      add('disk.full-soon', daysUntilFull < FULL_CRIT_DAYS ? 'CRITICAL' : 'WARNING', msg);
    }
  } else add('disk.unreadable', 'UNKNOWN', `cannot measure disk usage of ${facts.destination}: ${facts.diskError}`);

}

export function checkLockAndRotation(facts: StatusFacts, report: StatusReport, add: AddProblem): void {
  const now = facts.now;
  const retention = report.snapshots.retention;
  const liveLock = facts.lock && !facts.lock.stale;
  if (facts.lock) {
    const ageHours = hoursSince(facts.lock.startedAt, now);
    report.lock = { ...facts.lock, ageHours };
    const who = `pid ${facts.lock.pid} on ${facts.lock.host} (\`${facts.lock.command}\` since ${facts.lock.startedAt})`;
    if (facts.lock.stale && leftByFinishedRun(facts.lock, facts.lastRun)) {
      add('lock.stale', 'WARNING', `lock left by the failed run ${who}, which could not remove it: the next run takes it over`);
    } else if (facts.lock.stale) add('lock.stale', 'WARNING', `stale lock left by ${who}, which is gone: the next run takes it over`);
    else if (facts.lock.foreign) add('lock.foreign', 'WARNING', `lock written on another machine by ${who}: runs here stop with exit 75 until \`mailbackup unlock\``);
    else if (ageHours > LOCK_HUNG_HOURS) add('lock.hung', 'WARNING', `lock held for ${ageHours.toFixed(1)} h by ${who}: is it hung?`);
  }

  const s = report.snapshots;
  if (!liveLock && (s.daily.ok > retention.daily || s.weekly.ok > retention.weekly)) {
    add('retention.behind', 'WARNING', `${s.daily.ok} daily / ${s.weekly.ok} weekly ok snapshots kept, retention is ${retention.daily}/${retention.weekly}: see \`mailbackup rotate --dry-run\``);
  }
  if (!liveLock && s.deleting.length > 0) {
    add('rotation.interrupted', 'WARNING', `interrupted deletion left ${s.deleting.join(', ')}: run \`mailbackup rotate\` to finish it`);
  }

}

export function checkVerification(facts: StatusFacts, ok: Snapshot[], report: StatusReport, add: AddProblem): void {
  const newest = ok[0];
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

}

export function checkDrill(facts: StatusFacts, report: StatusReport, add: AddProblem): void {
  const now = facts.now;
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

}

/** The requirements class the databases as P0: a snapshot without one is a warning unless the config opts out. */
export function checkDatabases(ok: Snapshot[], config: Config, add: AddProblem): void {
  const newest = ok[0];
  if (!newest?.meta || !config.database.enabled) return;
  const dumped = Object.values(newest.meta.databases ?? {}).filter((d) => d.status !== 'failed').length;
  if (dumped === 0) {
    add('databases.none', 'WARNING', `newest ok snapshot ${newest.id} holds no database dump, and the requirements class the databases as P0: set database.databases (all, or a list), or database.enabled: false if this server has none`);
  }
}
