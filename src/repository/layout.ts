/**
 * Where things live on the backup disk (docs/on-disk-format.md). Every other module asks here for paths,
 * so the on-disk format is described in one file.
 */
import { join } from 'node:path';
import { UsageError } from '../errors.js';

export type SnapshotKind = 'daily' | 'weekly';
export const SNAPSHOT_KINDS: readonly SnapshotKind[] = ['daily', 'weekly'];

/** Component directories inside a snapshot, in backup order after the databases. */
export const FILE_COMPONENTS = ['mail', 'ssl', 'dkim', 'config', 'logs'] as const;
export type FileComponent = (typeof FILE_COMPONENTS)[number];

/** Files of a snapshot that are metadata, not backed-up data (not in the manifest). */
export const METADATA_FILES = ['manifest.sha256', 'manifest.index', 'backup.json', 'backup.log', 'messages.index', 'messages.index.sha256'] as const;

/**
 * The one rule for what at the top of a snapshot is not data: its metadata files, and the
 * hidden `.NAME.tmp` files and directories a run works with (atomic writes, the engine's lists,
 * a half-built component set aside to resume from). The manifest, verify and the drill all walk with it.
 */
export function isSnapshotMetadata(topName: string): boolean {
  return (METADATA_FILES as readonly string[]).includes(topName) || /^\..*\.tmp$/.test(topName);
}

export const MARKER = '.mailbackup';
export const LOCK = '.lock';
export const READERS = '.readers';
export const LATEST = 'latest';
export const PARTIAL_SUFFIX = '.partial';
export const DELETING_SUFFIX = '.deleting';
/** `.readers/deleting-daily-2026-11-01.json`: a rotation's intent to delete that snapshot (readers.ts) */
const INTENT_NAME_RE = /^deleting-(daily|weekly)-(\d{4}-\d{2}-\d{2})\.json$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export function isSnapshotDate(s: string): boolean {
  if (!DATE_RE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** A user's SNAPSHOT argument: `latest`, or a real date and the kinds to look in, in order. */
export type SnapshotSpec = 'latest' | { date: string; kinds: SnapshotKind[] };

/**
 * The one parser of SNAPSHOT arguments (local snapshots and offsite copies alike): `latest`,
 * `YYYY-MM-DD` (daily, else weekly) or `daily/…` / `weekly/…`, with a date that exists.
 */
export function parseSnapshotSpec(spec: string): SnapshotSpec {
  if (spec === LATEST) return LATEST;
  const m = /^(?:(daily|weekly)\/)?(\d{4}-\d{2}-\d{2})$/.exec(spec);
  if (!m || !isSnapshotDate(m[2])) {
    throw new UsageError(`snapshot "${spec}" is not latest, YYYY-MM-DD, daily/YYYY-MM-DD or weekly/YYYY-MM-DD`);
  }
  return { date: m[2], kinds: m[1] ? [m[1] as SnapshotKind] : [...SNAPSHOT_KINDS] };
}

/** Local calendar date YYYY-MM-DD: a 03:00 run is labelled with the day it runs on. */
export function localDate(d = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export interface SnapshotRef {
  kind: SnapshotKind;
  date: string;
}

export function snapshotId(ref: SnapshotRef): string {
  return `${ref.kind}/${ref.date}`;
}

/** The snapshot id a deletion intent's file name stands for, or undefined for any other name. */
export function deletionIntentId(name: string): string | undefined {
  const m = INTENT_NAME_RE.exec(name);
  return m && isSnapshotDate(m[2]) ? `${m[1]}/${m[2]}` : undefined;
}

const DUMP_SUFFIX = '.sql.gz';

/** `mysql/<db>.sql.gz`, relative to the snapshot: the manifest's and the report's name for a dump. */
function dumpName(db: string): string {
  return `mysql/${db}${DUMP_SUFFIX}`;
}

/** The database a dump's file name (`<db>.sql.gz`, with or without `mysql/`) holds, or undefined for any other file. */
export function dbOfDumpName(name: string): string | undefined {
  const base = name.startsWith('mysql/') ? name.slice('mysql/'.length) : name;
  return base.endsWith(DUMP_SUFFIX) && !base.includes('/') ? base.slice(0, -DUMP_SUFFIX.length) : undefined;
}

export const layout = {
  marker: (root: string) => join(root, MARKER),
  lock: (root: string) => join(root, LOCK),
  readers: (root: string) => join(root, READERS),
  deletionIntent: (root: string, id: string) => join(root, READERS, `deleting-${id.replace('/', '-')}.json`),
  latest: (root: string) => join(root, LATEST),
  kindDir: (root: string, kind: SnapshotKind) => join(root, kind),
  snapshot: (root: string, ref: SnapshotRef) => join(root, ref.kind, ref.date),
  partial: (root: string, ref: SnapshotRef) => join(root, ref.kind, ref.date + PARTIAL_SUFFIX),
  drills: (root: string) => join(root, 'drills'),
  safety: (root: string) => join(root, 'safety'),
  state: (root: string) => join(root, '.state'),
  backupJson: (snap: string) => join(snap, 'backup.json'),
  backupLog: (snap: string) => join(snap, 'backup.log'),
  manifest: (snap: string) => join(snap, 'manifest.sha256'),
  manifestIndex: (snap: string) => join(snap, 'manifest.index'),
  mysqlDir: (snap: string) => join(snap, 'mysql'),
  dumpName,
  dump: (snap: string, db: string) => join(snap, dumpName(db)),
  component: (snap: string, c: FileComponent) => join(snap, c),
};
