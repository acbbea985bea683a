/**
 * `verify --rolling DAYS`: re-reads one slice of the data (src/repository/rolling.ts) in every
 * ok snapshot, against each snapshot's manifest.sha256, so a disk that rots quietly is read
 * end to end every DAYS days without reading it all in one night. Inodes are hashed once per
 * run (snapshots share them). Only the slice's manifest entries are opened: structure
 * (unexpected files) is the daily `verify`'s job, not this one's.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { layout } from '../repository/layout.js';
import { recordVerification } from '../repository/metadata.js';
import { nextSlice, readRollingCoverage, RECORDED_DAMAGE, sliceOf, withSlice, writeRollingCoverage, type SliceRecord } from '../repository/rolling.js';
import { isOk, listSnapshots, type Snapshot } from '../repository/snapshots.js';
import { createVerifyPool, type VerifyPool } from './batch-pool.js';
import { BatchQueue } from './batch-queue.js';
import { ManifestError, manifestEntries } from '../repository/manifest-format.js';
import type { Damage } from './verify-snapshot.js';

export interface RollingSnapshotResult {
  snapshot: string;
  /** false when the snapshot has no readable manifest */
  determined: boolean;
  reason?: string;
  files: number;
  bytes: number;
  damaged: Damage[];
}

export interface RollingReport {
  days: number;
  slice: number;
  /** true when every snapshot was judged and nothing in the slice is damaged */
  ok: boolean;
  damaged: boolean;
  snapshots: RollingSnapshotResult[];
  checked: { files: number; bytes: number; hashed: number; cachedInodes: number; durationMs: number };
  finishedAt: string;
}

export interface RollingOptions {
  root: string;
  days: number;
  log: Logger;
  signal?: AbortSignal;
  now?: () => Date;
}

type Entry = { path: string; sha256: string };

async function readSlice(snap: Snapshot, slice: number, days: number, pool: VerifyPool, cache: Map<string, string>, checked: RollingReport['checked'], signal?: AbortSignal): Promise<RollingSnapshotResult> {
  const res: RollingSnapshotResult = { snapshot: snap.id, determined: true, files: 0, bytes: 0, damaged: [] };
  const compare = (e: Entry, sha: string) => {
    if (sha !== e.sha256) res.damaged.push({ path: e.path, problem: 'changed (sha256 differs from manifest.sha256)' });
  };
  const unreadable = (e: Entry, r: { error?: string; code?: string }) =>
    res.damaged.push({ path: e.path, problem: r.code === 'ENOENT' ? 'missing (listed in manifest.sha256)' : `unreadable: ${r.error}` });

  const processBatch = async (batch: Entry[]) => {
    const stats = await pool.stat(batch.map((e) => join(snap.dir, e.path)));
    const toHash: { e: Entry; inode: string; shared: boolean }[] = [];
    batch.forEach((e, i) => {
      const s = stats[i];
      if (s.error) return unreadable(e, s);
      res.bytes += s.size!;
      const known = cache.get(s.inode!);
      if (known) {
        checked.cachedInodes++;
        compare(e, known);
      } else toHash.push({ e, inode: s.inode!, shared: s.nlink! > 1 });
    });
    const hashes = await pool.hash(toHash.map((t) => join(snap.dir, t.e.path)));
    toHash.forEach((t, i) => {
      const h = hashes[i];
      if (h.error) return unreadable(t.e, h);
      checked.hashed++;
      if (t.shared) cache.set(t.inode, h.sha256!); // only a linked inode can be met again
      compare(t.e, h.sha256!);
    });
  };

  const queue = new BatchQueue<Entry>(processBatch);
  try {
    for (const e of manifestEntries(layout.manifest(snap.dir))) {
      signal?.throwIfAborted();
      if (sliceOf(e.path, days) !== slice) continue;
      res.files++;
      await queue.push(e);
    }
    await queue.flush();
  } catch (err) {
    if (!(err instanceof ManifestError)) throw err;
    return { ...res, determined: false, reason: err.message, damaged: [] };
  } finally {
    await queue.idle();
  }
  res.damaged.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return res;
}

export async function verifyRolling(opts: RollingOptions): Promise<RollingReport> {
  const t0 = Date.now();
  const now = opts.now ?? (() => new Date());
  const slice = nextSlice(readRollingCoverage(opts.root), opts.days);
  const checked = { files: 0, bytes: 0, hashed: 0, cachedInodes: 0, durationMs: 0 };
  const cache = new Map<string, string>();
  const results: RollingSnapshotResult[] = [];
  const pool = createVerifyPool();
  try {
    for (const snap of listSnapshots(opts.root).filter(isOk)) {
      const r = await readSlice(snap, slice, opts.days, pool, cache, checked, opts.signal);
      if (!existsSync(snap.dir)) continue; // rotated away while we read it: gone, not damaged
      checked.files += r.files;
      checked.bytes += r.bytes;
      results.push(r);
      opts.log.debug({ snapshot: r.snapshot, slice, files: r.files, damaged: r.damaged.length }, 'rolling slice read');
    }
  } finally {
    await pool.close();
  }
  checked.durationMs = Date.now() - t0;
  const damaged = results.some((r) => r.damaged.length > 0);
  const ok = !damaged && results.every((r) => r.determined);
  return { days: opts.days, slice, ok, damaged, snapshots: results, checked, finishedAt: now().toISOString() };
}

/**
 * Records the run: the slice's coverage in .state/, and a failed verification (level `rolling`)
 * in the backup.json of each snapshot found damaged, so rotation, list and status see it. A
 * clean slice leaves backup.json alone: it says nothing about the rest of the snapshot.
 */
export function recordRolling(root: string, r: RollingReport): SliceRecord {
  const rec: SliceRecord = {
    slice: r.slice,
    at: r.finishedAt,
    ok: !r.damaged,
    snapshots: r.snapshots.filter((s) => s.determined).map((s) => s.snapshot),
    files: r.checked.files,
    hashed: r.checked.hashed,
    bytes: r.checked.bytes,
  };
  const unknown = r.snapshots.filter((s) => !s.determined).map((s) => s.snapshot);
  if (unknown.length) rec.unknown = unknown;
  const lines = r.snapshots.flatMap((s) => s.damaged.map((d) => `${s.snapshot}/${d.path}: ${d.problem}`));
  if (lines.length) rec.damaged = lines.slice(0, RECORDED_DAMAGE);
  writeRollingCoverage(root, withSlice(readRollingCoverage(root), r.days, rec));
  for (const s of r.snapshots) {
    if (s.damaged.length === 0) continue;
    const damaged = s.damaged.slice(0, RECORDED_DAMAGE).map((d) => `${d.path}: ${d.problem}`);
    recordVerification(join(root, s.snapshot), { at: r.finishedAt, level: 'rolling', ok: false, damaged });
  }
  return rec;
}
