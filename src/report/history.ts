/**
 * Pure: the nights of a destination as plain rows, from backup.json alone (never the trees).
 * `removedBytes` is what left the live data since the snapshot this one was based on
 * (its bytes + what this night added − this night's bytes): rotation frees it later.
 */
import type { Snapshot } from '../repository/snapshots.js';

export interface Night {
  id: string;
  kind: 'daily' | 'weekly';
  date: string;
  status: 'ok' | 'failed';
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  files?: number;
  bytes?: number;
  addedFiles?: number;
  addedBytes?: number;
  /** undefined when the snapshot it was based on is gone (rotated) or lacks totals */
  removedBytes?: number;
  /** an incremental snapshot (basedOn): its added bytes are growth, a first full's are not */
  incremental: boolean;
  warnings: string[];
  /** failed components, `name: error` */
  errors: string[];
}

function added(s: Snapshot): { files?: number; bytes?: number } {
  const t = s.meta?.totals;
  if (t) return { files: t.addedFiles, bytes: t.addedBytes };
  const parts = Object.values(s.meta?.components ?? {}).filter((c) => c.addedBytes !== undefined);
  if (parts.length === 0) return {};
  return { files: parts.reduce((n, c) => n + (c.addedFiles ?? 0), 0), bytes: parts.reduce((n, c) => n + (c.addedBytes ?? 0), 0) };
}

/** Snapshots with readable backup.json, oldest first, as nights. */
export function nightsOf(snapshots: Snapshot[]): Night[] {
  const byId = new Map(snapshots.map((s) => [s.id, s]));
  const out: Night[] = [];
  for (const s of snapshots) {
    const m = s.meta;
    if (!m?.startedAt || !m.finishedAt) continue;
    const a = added(s);
    const prev = m.basedOn ? byId.get(m.basedOn)?.meta?.totals : undefined;
    const removed = prev && m.totals ? prev.bytes + m.totals.addedBytes - m.totals.bytes : undefined;
    out.push({
      id: s.id,
      kind: s.kind,
      date: s.date,
      status: m.status === 'ok' ? 'ok' : 'failed',
      startedAt: m.startedAt,
      finishedAt: m.finishedAt,
      durationMs: Math.max(0, Date.parse(m.finishedAt) - Date.parse(m.startedAt)),
      files: m.totals?.files,
      bytes: m.totals?.bytes,
      addedFiles: a.files,
      addedBytes: a.bytes,
      // a file changed in place counts as removed and added; never negative
      removedBytes: removed === undefined ? undefined : Math.max(0, removed),
      incremental: Boolean(m.basedOn) && !m.clonedFrom,
      warnings: m.warnings ?? [],
      errors: Object.entries(m.components ?? {}).filter(([, c]) => c.status === 'failed').map(([n, c]) => `${n}: ${c.error ?? 'failed'}`),
    });
  }
  return out.sort((x, y) => Date.parse(x.startedAt) - Date.parse(y.startedAt));
}

/** The runs (daily and weekly) that started in the last `days` days before `now`. */
export function nightsWithin(nights: Night[], now: Date, days: number): Night[] {
  const since = now.getTime() - days * 86_400_000;
  return nights.filter((n) => Date.parse(n.startedAt) >= since && Date.parse(n.startedAt) <= now.getTime());
}
