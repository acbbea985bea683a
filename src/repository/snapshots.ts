/**
 * Finding snapshots on disk, resolving a user's SNAPSHOT argument, and moving `latest`.
 * Reads directory names and backup.json only: never walks snapshot trees (status < 1 s).
 */
import { existsSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { UsageError } from '../errors.js';
import {
  DELETING_SUFFIX,
  PARTIAL_SUFFIX,
  SNAPSHOT_KINDS,
  isSnapshotDate,
  layout,
  parseSnapshotSpec,
  snapshotId,
  type SnapshotKind,
  type SnapshotRef,
} from './layout.js';
import { readMeta, type BackupMeta } from './metadata.js';

export interface Snapshot extends SnapshotRef {
  id: string;
  dir: string;
  /** undefined when backup.json is missing or unreadable: treated as failed */
  meta?: BackupMeta;
}

export function isOk(s: Snapshot): boolean {
  return s.meta?.status === 'ok';
}

/** Finished snapshots, oldest first (by date, daily before weekly on the same date). */
export function listSnapshots(root: string): Snapshot[] {
  const out: Snapshot[] = [];
  for (const kind of SNAPSHOT_KINDS) {
    let names: string[];
    try {
      names = readdirSync(layout.kindDir(root, kind));
    } catch {
      continue;
    }
    for (const date of names) {
      if (!isSnapshotDate(date)) continue; // skips .partial, .deleting and foreign names
      const ref = { kind, date };
      const dir = layout.snapshot(root, ref);
      out.push({ ...ref, id: snapshotId(ref), dir, meta: readMeta(dir) });
    }
  }
  return out.sort((a, b) => (a.date === b.date ? a.kind.localeCompare(b.kind) : a.date < b.date ? -1 : 1));
}

/** Leftovers: interrupted runs (.partial) and interrupted deletions (.deleting). */
export function listLeftovers(root: string): { partial: string[]; deleting: string[] } {
  const partial: string[] = [];
  const deleting: string[] = [];
  for (const kind of SNAPSHOT_KINDS) {
    let names: string[] = [];
    try {
      names = readdirSync(layout.kindDir(root, kind));
    } catch {
      /* no such kind yet */
    }
    for (const n of names) {
      if (n.endsWith(PARTIAL_SUFFIX)) partial.push(join(layout.kindDir(root, kind), n));
      if (n.endsWith(DELETING_SUFFIX)) deleting.push(join(layout.kindDir(root, kind), n));
    }
  }
  return { partial, deleting };
}

export function newestOk(snaps: Snapshot[], kind?: SnapshotKind): Snapshot | undefined {
  return [...snaps].reverse().find((s) => isOk(s) && (!kind || s.kind === kind));
}

/** The snapshot id `latest` points to, e.g. "daily/2026-11-28". */
export function readLatest(root: string): string | undefined {
  try {
    return readlinkSync(layout.latest(root)).replace(/\/+$/, '');
  } catch {
    return undefined;
  }
}

/** Atomically points `latest` at a snapshot: new symlink beside it, then rename (invariant 2 of docs/invariants.md). */
export function setLatest(root: string, ref: SnapshotRef): void {
  const target = relative(root, layout.snapshot(root, ref));
  const tmp = join(root, `.latest.${process.pid}.tmp`);
  rmSync(tmp, { force: true });
  symlinkSync(target, tmp);
  renameSync(tmp, layout.latest(root));
}

/**
 * Resolves `latest` (default), `YYYY-MM-DD` (daily, else weekly) or `daily/…` / `weekly/…` (layout.ts parses it).
 * Failed snapshots resolve only with allowFailed (restore --force).
 */
export function resolveSnapshot(root: string, spec = 'latest', opts: { allowFailed?: boolean } = {}): Snapshot {
  const snaps = listSnapshots(root);
  const parsed = parseSnapshotSpec(spec);
  let found: Snapshot | undefined;
  if (parsed === 'latest') {
    const target = readLatest(root);
    found = snaps.find((s) => s.id === target) ?? newestOk(snaps);
    if (!found) throw new UsageError(`no ok snapshot in ${root} yet: run \`mailbackup backup\` first`);
  } else {
    for (const kind of parsed.kinds) {
      found = snaps.find((s) => s.kind === kind && s.date === parsed.date);
      if (found) break;
    }
    if (!found) {
      const near = snaps.slice(-5).map((s) => s.id).join(', ');
      throw new UsageError(`no snapshot ${spec} in ${root}${near ? ` (newest: ${near})` : ''}; see \`mailbackup list\``);
    }
  }
  if (!isOk(found) && !opts.allowFailed) {
    throw new UsageError(`snapshot ${found.id} is marked failed; pass --force to use it anyway`);
  }
  return found;
}

export function snapshotExists(root: string, ref: SnapshotRef): boolean {
  return existsSync(layout.snapshot(root, ref));
}
