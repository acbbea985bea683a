/** backup.json: what a snapshot holds and whether it can be trusted (docs/on-disk-format.md). */
import { readFileSync } from 'node:fs';
import { writeJsonAtomic } from './atomic.js';
import { layout, type SnapshotKind } from './layout.js';

export type RunStatus = 'ok' | 'failed';

export interface ComponentResult {
  status: RunStatus | 'skipped';
  files: number;
  bytes: number;
  durationMs: number;
  /** files and bytes stored as new inodes (not shared with the previous snapshot) */
  addedFiles?: number;
  addedBytes?: number;
  /** names that vanished between being listed and being copied: renamed or expunged meanwhile (live store) */
  vanished?: number;
  /** messages rsync missed while Dovecot moved them, copied afterwards by the completeness check */
  recovered?: number;
  error?: string;
}

export interface DatabaseResult {
  file: string;
  bytes: number;
  sha256: string;
  /** uncompressed dump size */
  rawBytes?: number;
  tables: Record<string, number>;
  durationMs?: number;
  status?: RunStatus;
  error?: string;
}

/** mysql/grants.sql.gz: the accounts with privileges on the dumped databases */
export interface GrantsResult {
  file: string;
  bytes: number;
  sha256: string;
  rawBytes?: number;
  /** 'user'@'host' of each account in the file */
  accounts: string[];
  /** mariadb-dump --system=users, or SHOW CREATE USER / SHOW GRANTS */
  source?: string;
  status: RunStatus;
  error?: string;
}

/** Which databases a run set out to dump, and how that differs from the snapshot before it. */
export interface DatabaseList {
  /** `all`: listed by the server at the run; `list`: database.databases */
  mode: 'all' | 'list' | 'disabled';
  names: string[];
  /** the snapshot compared with */
  since?: string;
  appeared: string[];
  disappeared: string[];
}

export interface Verification {
  at: string;
  /** `rolling` is recorded only when a rolling re-read found damage in this snapshot */
  level: 'quick' | 'default' | 'full' | 'rolling';
  ok: boolean;
  damaged?: string[];
  /** the run's new files read back from the device after the flush, before promotion (issue 29) */
  readBack?: { files: number; bytes: number; newFiles: number; direct: boolean };
}

export interface BackupMeta {
  format: 1;
  tool: { name: 'mailbackup'; version: string };
  host: string;
  date: string;
  kind: SnapshotKind;
  startedAt: string;
  finishedAt: string;
  status: RunStatus;
  components: Record<string, ComponentResult>;
  databases: Record<string, DatabaseResult>;
  databaseList?: DatabaseList;
  grants?: GrantsResult;
  warnings: string[];
  verification?: Verification;
  /** snapshot id whose files this one was hardlink-cloned from */
  basedOn?: string;
  /** total files and bytes of the snapshot's data, and what it added on disk */
  totals?: { files: number; bytes: number; addedFiles: number; addedBytes: number };
  /** set on a weekly snapshot cloned from a daily one */
  clonedFrom?: string;
  /** mode and numeric owner of source.root, so `restore all --to` recreates it (absent before 0.2) */
  sourceRoot?: { mode: number; uid: number; gid: number };
  /** messages.index (absent before 0.3, or when it could not be built: `mailbackup index` backfills it) */
  messageIndex?: MessageIndexMeta;
}

export interface MessageIndexMeta {
  messages: number;
  /** header blocks read by this run (the others were carried from the previous index) */
  read: number;
  /** of those, how many came from the read that hashed the copied message (no second read) */
  fromCopy?: number;
  bytes: number;
}

export function readMeta(snapshotDir: string): BackupMeta | undefined {
  try {
    return JSON.parse(readFileSync(layout.backupJson(snapshotDir), 'utf8')) as BackupMeta;
  } catch {
    return undefined;
  }
}

export function writeMeta(snapshotDir: string, meta: BackupMeta): void {
  writeJsonAtomic(layout.backupJson(snapshotDir), meta, 0o600);
}

/** Records a verification result without touching anything else in backup.json. */
export function recordVerification(snapshotDir: string, v: Verification): void {
  const meta = readMeta(snapshotDir);
  if (!meta) return;
  writeMeta(snapshotDir, { ...meta, verification: v });
}
