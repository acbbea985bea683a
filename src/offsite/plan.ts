/**
 * Offsite decisions as pure functions over plain data (unit-tested): what a push does, the
 * restic forget arguments of the retention, which part of the data a rolling check reads,
 * and which restic snapshot a SNAPSHOT argument names.
 */
import type { OffsiteConfig } from '../config/schema.js';
import { UsageError } from '../errors.js';
import { parseSnapshotSpec, snapshotId } from '../repository/layout.js';
import type { ResticSnapshot } from '../tools/restic.js';

export const TAG = 'mailbackup';

export interface LocalSnapshot {
  /** "daily/2026-11-01" */
  id: string;
  /** the snapshot's date label */
  date: string;
  /** backup.json finishedAt */
  finishedAt: string;
}

export type PushPlan =
  | { action: 'skip'; snapshot: string; existing: string }
  | { action: 'push'; snapshot: string; tags: string[]; host: string; time: string; parent?: string };

/** The restic snapshot that holds a mailbackup snapshot (tags `mailbackup` and its id). */
export function findPushed(remote: ResticSnapshot[], id: string): ResticSnapshot | undefined {
  return remote.find((r) => r.tags?.includes(TAG) && r.tags.includes(id));
}

/**
 * restic --time ("YYYY-MM-DD HH:MM:SS", local time): the snapshot's date label with the time of
 * day it finished, so restic's keep-daily/weekly/monthly count the same days as the label
 * (a backfilled `--date` snapshot is filed under its own day, not under the day it was made).
 */
export function resticTime(date: string, finishedAtIso: string): string {
  const d = new Date(finishedAtIso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/**
 * A second push of the same snapshot is a no-op. Otherwise the parent is the newest earlier
 * pushed snapshot of this host: every snapshot directory has its own path, so restic would
 * not find a parent by itself and would re-read every file.
 */
export function planPush(local: LocalSnapshot, remote: ResticSnapshot[], host: string): PushPlan {
  const existing = findPushed(remote, local.id);
  if (existing) return { action: 'skip', snapshot: local.id, existing: existing.short_id };
  const mine = remote.filter((r) => r.hostname === host && r.tags?.includes(TAG));
  const time = resticTime(local.date, local.finishedAt);
  const before = mine.filter((r) => r.time.slice(0, 10) <= local.date);
  const parent = (before.length ? before : mine).at(-1);
  return { action: 'push', snapshot: local.id, tags: [TAG, local.id], host, time, parent: parent?.id };
}

/** restic forget arguments: one group per host (each snapshot has its own path and id tag). */
export function forgetArgs(retention: OffsiteConfig['retention'], host: string): string[] | undefined {
  const keep = [
    ['--keep-daily', retention.daily],
    ['--keep-weekly', retention.weekly],
    ['--keep-monthly', retention.monthly],
  ].filter(([, n]) => Number(n) > 0);
  if (keep.length === 0) return undefined; // all zero: keep everything (restic would refuse an empty policy)
  return ['--tag', TAG, '--host', host, '--group-by', 'host', ...keep.flatMap(([f, n]) => [String(f), String(n)]), '--prune'];
}

export interface Subset {
  n: number;
  t: number;
}

export function parseSubset(s: string): Subset {
  const m = /^(\d+)\/(\d+)$/.exec(s);
  const n = m ? Number(m[1]) : 0;
  const t = m ? Number(m[2]) : 0;
  if (!m || t < 1 || n < 1 || n > t) throw new UsageError(`--read-data-subset ${s}: expected N/T with 1 <= N <= T, e.g. 3/12`);
  return { n, t };
}

/** The next part of a rolling check: after part n of t comes n+1, after t comes 1. */
export function nextRollingPart(last: Subset | undefined, weeks: number): Subset {
  if (!last || last.t !== weeks) return { n: 1, t: weeks };
  return { n: (last.n % weeks) + 1, t: weeks };
}

/** `latest` (newest pushed), `YYYY-MM-DD` (daily, else weekly) or `daily/…` / `weekly/…` (layout.ts parses it). */
export function resolvePushed(remote: ResticSnapshot[], spec: string, repoName: string): ResticSnapshot & { mailbackupId: string } {
  const parsed = parseSnapshotSpec(spec);
  const withId = remote
    .map((r) => ({ ...r, mailbackupId: r.tags?.find((t) => /^(daily|weekly)\/\d{4}-\d{2}-\d{2}$/.test(t)) ?? '' }))
    .filter((r) => r.tags?.includes(TAG) && r.mailbackupId);
  const candidates = parsed === 'latest' ? withId.slice(-1) : parsed.kinds.flatMap((kind) => withId.filter((r) => r.mailbackupId === snapshotId({ kind, date: parsed.date })));
  if (!candidates[0]) {
    const near = withId.slice(-5).map((r) => r.mailbackupId).join(', ');
    throw new UsageError(`no snapshot ${spec} in offsite repository ${repoName}${near ? ` (newest: ${near})` : ' (it holds none yet)'}; see \`mailbackup offsite list\``);
  }
  return candidates[0];
}
