/**
 * What every phase of one component's sync shares: where it reads and writes, the pools, the
 * manifest part being written, the previous snapshot's index and the planner over it.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ComponentSpec, SyncOptions } from '../types.js';
import { prevStartedAt, resolveSource } from '../scan/source.js';
import { createFsPool, type FsPool } from '../scan/fs-pool.js';
import { createHashPool, type HashPool } from '../hash/pool.js';
import { ComponentPartWriter, DEFAULT_SCRATCH } from '../manifest/component-part.js';
import { PrevIndexReader } from '../manifest/prev-index.js';
import { LinkPlanner } from '../link/link-plan.js';
import { mkdirFresh, reuseFromResume } from '../link/apply.js';
import type { ScanEntry } from '../scan/scan-entry.js';
import { compareBytes } from '../../repository/manifest-format.js';
import { layout } from '../../repository/layout.js';

export interface ComponentRun {
  spec: ComponentSpec;
  opts: SyncOptions;
  srcRoot: string;
  /** `entries` sources: the paths under srcRoot; a `dir` source: undefined */
  entries?: string[];
  /** <partial>/<name>: the component in the snapshot being built */
  dest: string;
  /** the previous snapshot's component, when it has one */
  prevComponent?: string;
  /** what an interrupted run left of this component, reused by name (apply.ts reuseFromResume) */
  resume: string;
  resuming: boolean;
  part: ComponentPartWriter;
  pool: HashPool;
  fsPool: FsPool;
  prevIndex?: PrevIndexReader;
  planner: LinkPlanner;
}

export async function openRun(spec: ComponentSpec, opts: SyncOptions): Promise<ComponentRun> {
  const { partialDir } = opts;
  const { srcRoot, entries } = resolveSource(spec);
  const dest = join(partialDir, spec.name);
  const resume = join(partialDir, `.${spec.name}.resume.tmp`);
  mkdirFresh(partialDir, 0o700); // one level: a missing parent means the disk went away
  // An interrupted run (or a retry) left this component half-built: its files with nlink 1 are
  // ones rsync wrote, reused by name (copy.ts hashes them); the rest is rebuilt from the plan.
  const resuming = existsSync(dest);
  rmSync(resume, { recursive: true, force: true });
  if (resuming) renameSync(dest, resume);
  const scratchDir = opts.scratchDir ?? join(partialDir, DEFAULT_SCRATCH);
  mkdirSync(scratchDir, { recursive: true, mode: 0o700 });
  const pool = opts.pool ?? createHashPool();
  const fsPool = opts.fsPool ?? createFsPool();
  const part = new ComponentPartWriter(scratchDir, spec.name);
  const run = { spec, opts, srcRoot, entries, dest, resume, resuming, part, pool, fsPool };
  try {
    mkdirFresh(dest, 0o700);
    const prevComponent = opts.prevDir ? join(opts.prevDir, spec.name) : undefined;
    const prevIndex = prevComponent && existsSync(prevComponent) ? new PrevIndexReader(layout.manifestIndex(opts.prevDir!), spec.name, opts.log) : undefined;
    const changedSince = prevIndex && prevStartedAt(opts.prevDir!);
    const planner = new LinkPlanner(prevIndex, { maildir: !!spec.maildir, compare: compareBytes, changedSince });
    return { ...run, prevComponent, prevIndex, planner };
  } catch (err) {
    await closeRun(run, false);
    throw err;
  }
}

/** the end of a run, done or failed: the part kept or discarded, the pools this run made closed */
export async function closeRun(run: Omit<ComponentRun, 'planner'>, done: boolean): Promise<void> {
  if (!done) run.part.discard();
  run.prevIndex?.close();
  rmSync(run.resume, { recursive: true, force: true });
  if (!run.opts.fsPool) await run.fsPool.close();
  if (!run.opts.pool) await run.pool.close();
}

/** a file the plan copies from the source: first taken back from what an interrupted run left */
export function toCopy(run: ComponentRun, e: ScanEntry): void {
  if (run.resuming) reuseFromResume(run.resume, run.dest, e); // a failed lstat per file costs seconds at 100k
  run.part.toCopy(e);
}
