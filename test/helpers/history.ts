/**
 * Generated histories for the report and forecast (issue 33): nights of backup.json as the
 * backup writes them (no trees: report and status read metadata only). The live data grows by
 * `added` and shrinks by `removed` each night; nights older than `keep` were rotated away.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BackupMeta } from '../../src/repository/metadata.js';

export interface HistoryNight {
  date: string;
  status: 'ok' | 'failed';
  startedAt: string;
  finishedAt: string;
  /** live data after the night */
  bytes: number;
  addedBytes: number;
  addedFiles: number;
  basedOn?: string;
  warnings: string[];
  error?: string;
}

export interface HistorySpec {
  /** when the last night's run started (ISO 8601); the nights before it start 24 h apart */
  endAt: string;
  nights: number;
  startBytes: number;
  /** bytes added and removed on night k (0 = oldest) */
  added: (k: number) => number;
  removed: (k: number) => number;
  /** minutes the night's run took */
  minutes?: (k: number) => number;
  failed?: number[];
  /** nights kept on disk (rotation deleted the others): the newest `keep` */
  keep?: number;
}

const DAY = 86_400_000;

/** The nights, oldest first. Night 0 is a first full backup; a failed night is the base of none. */
export function historyNights(spec: HistorySpec): HistoryNight[] {
  const out: HistoryNight[] = [];
  const end = Date.parse(spec.endAt);
  let live = spec.startBytes;
  let lastOk: string | undefined;
  for (let k = 0; k < spec.nights; k++) {
    const start = end - (spec.nights - 1 - k) * DAY;
    const date = new Date(start).toISOString().slice(0, 10);
    const failed = spec.failed?.includes(k) ?? false;
    const added = k === 0 ? spec.startBytes : spec.added(k);
    const next = k === 0 ? spec.startBytes : live + added - spec.removed(k);
    out.push({
      date, status: failed ? 'failed' : 'ok', startedAt: new Date(start).toISOString(),
      finishedAt: new Date(start + (spec.minutes?.(k) ?? 10) * 60_000).toISOString(),
      bytes: next, addedBytes: added, addedFiles: Math.round(added / 50_000), basedOn: k === 0 ? undefined : lastOk,
      warnings: [], error: failed ? 'usermgmt: mariadb-dump exited 2 (lost connection)' : undefined,
    });
    if (!failed) {
      live = next;
      lastOk = `daily/${date}`;
    }
  }
  return out;
}

export function metaOf(n: HistoryNight): BackupMeta {
  return {
    format: 1, tool: { name: 'mailbackup', version: '0.1.0' }, host: 'mail.example.com', date: n.date, kind: 'daily',
    startedAt: n.startedAt, finishedAt: n.finishedAt, status: n.status,
    components: {
      mail: { status: 'ok', files: 1000, bytes: n.bytes, durationMs: 1000, addedFiles: n.addedFiles, addedBytes: n.addedBytes },
      databases: n.error ? { status: 'failed', files: 0, bytes: 0, durationMs: 10, error: n.error } : { status: 'ok', files: 1, bytes: 100, durationMs: 10 },
    },
    databases: {}, warnings: n.warnings,
    totals: { files: 1000, bytes: n.bytes, addedFiles: n.addedFiles, addedBytes: n.addedBytes },
    ...(n.basedOn ? { basedOn: n.basedOn } : {}),
    ...(n.status === 'ok' ? { verification: { at: n.finishedAt, level: 'quick' as const, ok: true } } : {}),
  };
}

/** Writes daily/<date>/backup.json of the nights kept, and `latest`; returns the nights written. */
export function writeHistory(root: string, nights: HistoryNight[], keep = nights.length): HistoryNight[] {
  const kept = nights.slice(-keep);
  for (const n of kept) {
    const dir = join(root, 'daily', n.date);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, 'backup.json'), JSON.stringify(metaOf(n), null, 2), { mode: 0o600 });
    chmodSync(dir, 0o700);
  }
  return kept;
}
