/**
 * Checks one snapshot against its own records. Both levels read structure (every file name
 * against manifest.sha256: missing and unexpected files), backup.json and every dump (gzip
 * readback, trailer, recorded sha256). `default` hashes only the files that are new inodes in
 * this snapshot (not shared with the snapshot it was cloned from), so a daily check reads only
 * new data; `full` hashes every file. Hashes are cached per inode: snapshots share inodes, so
 * `verify --all --full` reads each inode once.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { createHashPool, type HashPool } from '../engine/hash.js';
import { FILE_COMPONENTS, layout } from '../repository/layout.js';
import { readMeta } from '../repository/metadata.js';
import type { Snapshot } from '../repository/snapshots.js';
import { checkDump } from './dump.js';
import { ManifestError, readManifest } from './manifest.js';
import { inodeOf, walkFiles } from './walk.js';

export type VerifyLevel = 'default' | 'full';

export interface Damage {
  /** path relative to the snapshot root */
  path: string;
  problem: string;
}

export interface VerifyReport {
  snapshot: string;
  level: VerifyLevel;
  /** true only when determined and nothing is damaged */
  ok: boolean;
  /** false when the snapshot could not be judged (e.g. no manifest): exit 3, nothing recorded */
  determined: boolean;
  reason?: string;
  damaged: Damage[];
  checked: { files: number; bytes: number; hashed: number; cachedInodes: number; sharedSkipped: number; dumps: number; durationMs: number };
}

export interface VerifyOptions {
  level: VerifyLevel;
  log: Logger;
  signal?: AbortSignal;
  /** a shared pool (verify --all); one is created and closed when absent */
  pool?: HashPool;
  /** inode → sha256 across snapshots of one run */
  inodeCache?: Map<string, string>;
}

const IN_FLIGHT = 64;

export async function verifySnapshot(snap: Snapshot, opts: VerifyOptions): Promise<VerifyReport> {
  const t0 = Date.now();
  const checked = { files: 0, bytes: 0, hashed: 0, cachedInodes: 0, sharedSkipped: 0, dumps: 0, durationMs: 0 };
  const damaged: Damage[] = [];
  const report = (determined: boolean, reason?: string): VerifyReport => {
    damaged.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    checked.durationMs = Date.now() - t0;
    return { snapshot: snap.id, level: opts.level, ok: determined && damaged.length === 0, determined, reason, damaged, checked };
  };

  const meta = readMeta(snap.dir);
  if (!meta) damaged.push({ path: 'backup.json', problem: 'missing or unreadable' });
  let manifest: Map<string, string>;
  try {
    manifest = await readManifest(layout.manifest(snap.dir));
  } catch (err) {
    const missing = !existsSync(layout.manifest(snap.dir));
    const reason = missing ? 'manifest.sha256 is missing: there is nothing to check the files against' : (err as ManifestError).message;
    return report(false, reason);
  }

  for (const [name, c] of Object.entries(meta?.components ?? {})) {
    const isDir = (FILE_COMPONENTS as readonly string[]).includes(name);
    if (isDir && c.status === 'ok' && c.files > 0 && !existsSync(join(snap.dir, name))) {
      damaged.push({ path: `${name}/`, problem: 'component directory missing' });
    }
  }

  const cache = opts.inodeCache ?? new Map<string, string>();
  const dumpFiles = new Set<string>();
  for (const [db, d] of Object.entries(meta?.databases ?? {})) {
    if (d.status === 'failed') continue;
    opts.signal?.throwIfAborted();
    const result = await checkDump(join(snap.dir, d.file), d.sha256);
    checked.dumps++;
    const inode = result.sha256 ? await inodeOf(join(snap.dir, d.file)) : undefined;
    if (inode) cache.set(inode, result.sha256!); // a later snapshot sharing this dump reads it no more
    dumpFiles.add(d.file);
    for (const problem of result.problems) damaged.push({ path: d.file, problem });
    const listed = manifest.get(d.file);
    if (result.sha256 && listed && listed !== result.sha256 && !result.problems.length) {
      damaged.push({ path: d.file, problem: 'sha256 differs from manifest.sha256' });
    }
    opts.log.debug({ db, problems: result.problems }, 'dump checked');
  }

  // A weekly clone shares every inode with its daily; a daily shares the unchanged ones with its predecessor.
  const base = meta?.clonedFrom ?? meta?.basedOn;
  const prevDir = opts.level === 'default' && base ? join(dirname(dirname(snap.dir)), base) : undefined;
  const pool = opts.pool ?? createHashPool();
  const inflight = new Set<Promise<void>>();
  try {
    for await (const f of walkFiles(snap.dir)) {
      opts.signal?.throwIfAborted();
      checked.files++;
      checked.bytes += f.size;
      const expected = manifest.get(f.rel);
      if (expected === undefined) {
        damaged.push({ path: f.rel, problem: 'unexpected file (not in manifest.sha256)' });
        continue;
      }
      manifest.delete(f.rel); // what is left at the end is missing
      if (dumpFiles.has(f.rel)) continue;
      const task = (async () => {
        if (prevDir && (await inodeOf(join(prevDir, f.rel))) === f.inode) {
          checked.sharedSkipped++;
          return;
        }
        let hex = cache.get(f.inode);
        if (hex) checked.cachedInodes++;
        else {
          try {
            hex = await pool.hashFile(f.abs);
          } catch (err) {
            const code = (err as NodeJS.ErrnoException).code;
            damaged.push({ path: f.rel, problem: code === 'ENOENT' ? 'missing (vanished while checking)' : `unreadable: ${(err as Error).message}` });
            return;
          }
          checked.hashed++;
          cache.set(f.inode, hex);
        }
        if (hex !== expected) damaged.push({ path: f.rel, problem: 'changed (sha256 differs from manifest.sha256)' });
      })();
      inflight.add(task);
      void task.finally(() => inflight.delete(task));
      if (inflight.size >= IN_FLIGHT) await Promise.race(inflight);
    }
    await Promise.all(inflight);
  } finally {
    if (!opts.pool) await pool.close();
  }
  for (const path of manifest.keys()) {
    if (!dumpFiles.has(path)) damaged.push({ path, problem: 'missing (listed in manifest.sha256)' });
  }
  return report(true);
}
