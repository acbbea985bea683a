/**
 * The retention plan (docs/invariants.md, invariant 5, FR-04/05) as plain data: which snapshots stay, which go, and why.
 * No I/O here; rotate.ts applies the plan and `rotate --dry-run` prints it.
 *
 * Rules:
 * - keep the `daily` newest ok daily snapshots (one per date, so "each of the last N days that
 *   have one") and the `weekly` newest ok weekly snapshots;
 * - failed snapshots (or unreadable backup.json) never fill a slot; one is deleted once an ok
 *   snapshot with a later date exists and it is older than `failedDays`, else kept for inspection;
 * - the newest ok snapshot and `latest`'s target are never deleted;
 * - nothing is deleted while the newest snapshot is failed, unverified or failed verification:
 *   a backup that cannot be trusted must not cost us the older copies.
 */
import type { Config } from '../config/schema.js';
import type { SnapshotKind } from './layout.js';
import type { Snapshot } from './snapshots.js';

export interface SnapshotSummary {
  id: string;
  kind: SnapshotKind;
  date: string;
  status: 'ok' | 'failed';
  finishedAt?: string;
  /** backup.json `verification`; "verified" means present with ok=true (any level) */
  verification?: { ok: boolean; level: string; at: string };
}

export type RetentionRules = Pick<Config['retention'], 'daily' | 'weekly' | 'failedDays'>;

export interface PlanEntry {
  id: string;
  reason: string;
}

export interface RetentionPlan {
  keep: PlanEntry[];
  delete: PlanEntry[];
  /** set when deletion is refused as a whole; `delete` is then empty and the victims are kept */
  refused?: string;
}

export function summarize(s: Snapshot): SnapshotSummary {
  const m = s.meta;
  return {
    id: s.id,
    kind: s.kind,
    date: s.date,
    status: m?.status === 'ok' ? 'ok' : 'failed',
    finishedAt: m?.finishedAt,
    verification: m?.verification ? { ok: m.verification.ok, level: m.verification.level, at: m.verification.at } : undefined,
  };
}

/** Whole days from date a to date b (both YYYY-MM-DD). */
function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** Newest first: by date, then finish time (a weekly clone finishes after its daily). */
function newestFirst(a: SnapshotSummary, b: SnapshotSummary): number {
  if (a.date !== b.date) return a.date < b.date ? 1 : -1;
  return (b.finishedAt ?? '').localeCompare(a.finishedAt ?? '');
}

/** Why deleting must wait, judged on the newest snapshot; undefined when deletion may go ahead. */
export function deletionBlocker(snaps: SnapshotSummary[]): string | undefined {
  const newest = [...snaps].sort(newestFirst)[0];
  if (!newest) return undefined;
  if (newest.status !== 'ok') {
    return `the newest snapshot ${newest.id} is failed: nothing is deleted until a backup succeeds`;
  }
  if (!newest.verification) {
    return `the newest snapshot ${newest.id} is not verified: run \`mailbackup verify ${newest.id}\` first`;
  }
  if (!newest.verification.ok) {
    return `the newest snapshot ${newest.id} failed verification (${newest.verification.level}, ${newest.verification.at}): investigate with \`mailbackup verify --full ${newest.id}\``;
  }
  return undefined;
}

export function planRetention(
  snapshots: SnapshotSummary[],
  rules: RetentionRules,
  today: string,
  opts: { latest?: string } = {},
): RetentionPlan {
  const sorted = [...snapshots].sort(newestFirst);
  const newestOk = sorted.find((s) => s.status === 'ok');
  const keep: PlanEntry[] = [];
  const del: PlanEntry[] = [];
  const rank: Record<SnapshotKind, number> = { daily: 0, weekly: 0 };
  const limit: Record<SnapshotKind, number> = { daily: rules.daily, weekly: rules.weekly };

  for (const s of sorted) {
    if (s.status === 'ok') {
      const n = ++rank[s.kind];
      if (n <= limit[s.kind]) keep.push({ id: s.id, reason: `${s.kind} ${n} of ${limit[s.kind]}` });
      else if (s === newestOk) keep.push({ id: s.id, reason: 'newest ok snapshot' });
      else if (s.id === opts.latest) keep.push({ id: s.id, reason: 'target of latest' });
      else del.push({ id: s.id, reason: `beyond the ${limit[s.kind]} newest ok ${s.kind} snapshots` });
      continue;
    }
    const age = daysBetween(s.date, today);
    const newerOk = sorted.find((o) => o.status === 'ok' && o.date > s.date);
    if (s.id === opts.latest) keep.push({ id: s.id, reason: 'target of latest' });
    else if (!newerOk) keep.push({ id: s.id, reason: 'failed; kept until a newer ok snapshot exists' });
    else if (age <= rules.failedDays) {
      keep.push({ id: s.id, reason: `failed; kept ${rules.failedDays} days for inspection (${age} days old)` });
    } else del.push({ id: s.id, reason: `failed, ${age} days old, newer ok snapshot ${newerOk.id} exists` });
  }

  const refused = del.length > 0 ? deletionBlocker(snapshots) : undefined;
  if (refused) {
    return { keep: [...keep, ...del.map((d) => ({ id: d.id, reason: `${d.reason} — deletion refused` }))], delete: [], refused };
  }
  return { keep, delete: del };
}
