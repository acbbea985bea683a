/**
 * Status of rolling verification (.state/rolling-verify.json). Pure. Not set up yet (no state)
 * is a warning only once the disk is older than verify.rollingDays: a new installation gets
 * that long before its data must have been re-read once.
 */
import type { Config } from '../config/schema.js';
import { ROLLING_GRACE_HOURS, summarizeCoverage } from '../repository/rolling.js';
import type { AddProblem } from './checks.js';
import type { StatusFacts } from './collect.js';
import type { StatusReport } from './types.js';

const DAY = 86_400_000;

export function checkRolling(facts: StatusFacts, config: Config, report: StatusReport, add: AddProblem): void {
  const cov = facts.rolling;
  if (!cov) {
    const days = config.verify.rollingDays;
    if (facts.marker && (facts.now.getTime() - Date.parse(facts.marker.createdAt)) / DAY > days) {
      add('verify.rolling.none', 'WARNING', `no rolling verification has run on this disk, so old data is never re-read: schedule \`mailbackup verify --rolling ${days}\` (see \`mailbackup schedule\`)`);
    }
    return;
  }
  const sum = summarizeCoverage(cov, facts.now);
  const ageDays = (facts.now.getTime() - Date.parse(sum.oldestAt)) / DAY;
  report.verification.rolling = { days: sum.days, oldestAt: sum.oldestAt, ageDays, slicesRead: cov.slices.length, stale: sum.stale.length, damagedSlices: sum.damaged.length };
  if (sum.stale.length > 0) {
    add(
      'verify.rolling.stale',
      'WARNING',
      `${sum.stale.length} of ${sum.days} slices of the backup data not re-read within ${sum.days} days (+${ROLLING_GRACE_HOURS} h; oldest ${sum.oldestAt}): check that \`mailbackup verify --rolling\` runs daily, or run it now`,
    );
  }
  for (const s of sum.damaged) {
    const first = s.damaged?.[0] ?? 'see the log';
    add('verify.rolling.damaged', 'CRITICAL', `rolling verification of slice ${s.slice + 1}/${sum.days} at ${s.at} found damage (${first}): run \`mailbackup verify --full\` on the snapshots named`);
  }
}
