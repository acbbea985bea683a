/**
 * The JSON log keeps log.retentionDays (30) of days (FR-07, OR-03). The logger writes one file
 * per day, mailbackup-YYYY-MM-DD.log, so pruning is by the date in the name: the file's mtime
 * moves every time a run appends, and a copied-back log directory would lose it anyway.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isSnapshotDate } from '../repository/layout.js';

const LOG_RE = /^mailbackup-(\d{4}-\d{2}-\d{2})\.log$/;
const DAY_MS = 86_400_000;

/** Pure: names of log files whose day ended more than retentionDays before `now`. */
export function expiredLogs(names: string[], retentionDays: number, now: Date): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const cutoff = today - retentionDays * DAY_MS;
  return names.filter((n) => {
    const m = LOG_RE.exec(n);
    if (!m || !isSnapshotDate(m[1])) return false; // not a name the logger writes: not ours to delete
    return Date.parse(`${m[1]}T00:00:00Z`) < cutoff;
  });
}

/**
 * Removes expired mailbackup-*.log files from `dir`; returns the names removed. A missing
 * directory or an undeletable file is not an error for the backup: it is reported and skipped.
 */
export function pruneLogs(dir: string, retentionDays: number, now = new Date()): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of expiredLogs(names, retentionDays, now)) {
    try {
      rmSync(join(dir, name), { force: true });
      removed.push(name);
    } catch (err) {
      process.stderr.write(`mailbackup: cannot remove old log ${join(dir, name)}: ${(err as Error).message}\n`);
    }
  }
  return removed.sort();
}
