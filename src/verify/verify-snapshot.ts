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
import { createVerifyPool, type VerifyPool } from './batch-pool.js';
import { FILE_COMPONENTS, layout } from '../repository/layout.js';
import { readMeta } from '../repository/metadata.js';
import type { Snapshot } from '../repository/snapshots.js';
import { checkDump, recordedDumps } from './dump.js';
import { checkMessageIndex } from './message-index.js';
import { checkFiles } from './check-files.js';
import { ManifestError } from '../repository/manifest-format.js';
import { inodeOf } from './walk.js';
import { NO_PROGRESS, type Phase, type Progress } from '../log/progress.js';

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
  pool?: VerifyPool;
  /** inode → sha256 across snapshots of one run */
  inodeCache?: Map<string, string>;
  progress?: Progress;
}

export async function verifySnapshot(snap: Snapshot, opts: VerifyOptions): Promise<VerifyReport> {
  const t0 = Date.now();
  const checked = { files: 0, bytes: 0, hashed: 0, cachedInodes: 0, sharedSkipped: 0, dumps: 0, durationMs: 0 };
  const damaged: Damage[] = [];
  let phase: Phase | undefined;
  const report = (determined: boolean, reason?: string): VerifyReport => {
    phase?.done(); // damaged or undetermined, the check is finished: the caller's sentence follows
    damaged.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    checked.durationMs = Date.now() - t0;
    return { snapshot: snap.id, level: opts.level, ok: determined && damaged.length === 0, determined, reason, damaged, checked };
  };

  const meta = readMeta(snap.dir);
  if (!meta) damaged.push({ path: 'backup.json', problem: 'missing or unreadable' });
  if (!existsSync(layout.manifest(snap.dir))) {
    return report(false, 'manifest.sha256 is missing: there is nothing to check the files against');
  }
  for (const [name, c] of Object.entries(meta?.components ?? {})) {
    const isDir = (FILE_COMPONENTS as readonly string[]).includes(name);
    if (isDir && c.status === 'ok' && c.files > 0 && !existsSync(join(snap.dir, name))) {
      damaged.push({ path: `${name}/`, problem: 'component directory missing' });
    }
  }

  for (const problem of checkMessageIndex(snap.dir)) damaged.push({ path: 'messages.index', problem });

  const cache = opts.inodeCache;
  // one line per snapshot, towards the totals its backup recorded (dumps included)
  phase = (opts.progress ?? NO_PROGRESS).phase(`verify ${snap.id}`, meta?.totals ? { files: meta.totals.files, bytes: meta.totals.bytes } : {});
  /** dump path → its sha256 as read, for the comparison with manifest.sha256 */
  const dumpFiles = new Map<string, string | undefined>();
  for (const [db, d] of recordedDumps(meta)) {
    if (d.status === 'failed') continue;
    opts.signal?.throwIfAborted();
    const result = await checkDump(join(snap.dir, d.file), d.sha256);
    checked.dumps++;
    const inode = result.sha256 && cache ? await inodeOf(join(snap.dir, d.file)) : undefined;
    if (inode) cache?.set(inode, result.sha256!); // a later snapshot sharing this dump reads it no more
    dumpFiles.set(d.file, result.problems.length ? undefined : result.sha256);
    for (const problem of result.problems) damaged.push({ path: d.file, problem });
    phase.add(1, (d as { bytes?: number }).bytes ?? 0); // grants files record no size
    opts.log.debug({ db, problems: result.problems }, 'dump checked');
  }

  // A weekly clone shares every inode with its daily; a daily shares the unchanged ones with its predecessor.
  const base = meta?.clonedFrom ?? meta?.basedOn;
  const prevDir = opts.level === 'default' && base ? join(dirname(dirname(snap.dir)), base) : undefined;
  const pool = opts.pool ?? createVerifyPool();
  try {
    const files = await checkFiles(snap.dir, { prevDir, dumpFiles, cache, pool, log: opts.log, signal: opts.signal, progress: phase });
    damaged.push(...files.damaged);
    Object.assign(checked, files.checked, { dumps: checked.dumps });
  } catch (err) {
    if (err instanceof ManifestError) return report(false, err.message);
    throw err;
  } finally {
    if (!opts.pool) await pool.close();
  }
  return report(true);
}
