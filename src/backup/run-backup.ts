/**
 * One backup run, in this order: databases, the file components through the snapshot engine,
 * manifest, quick verification, backup.json/backup.log, promotion, and `latest` last, so it
 * only ever points at a finished snapshot.
 * A failing component does not stop the others; the run then ends `failed` and `latest` stays.
 * The caller holds the lock and has checked the marker.
 */
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { createHashPool, createFsPool } from '../engine/index.js';
import { InterruptedError } from '../errors.js';
import { inPhase, NO_PROGRESS, type Progress } from '../log/progress.js';
import { PARTIAL_SUFFIX, layout, snapshotId, type SnapshotRef } from '../repository/layout.js';
import type { BackupMeta } from '../repository/metadata.js';
import { makeDir } from '../repository/atomic.js';
import type { Snapshot } from '../repository/snapshots.js';
import type { DestinationGuard } from '../repository/guard.js';
import { backupDatabases } from '../datasource/mariadb/index.js';
import { BackgroundFlush } from './durable.js';
import { finishRun, writeRunManifest } from './finish-run.js';
import type { PromoteOutcome } from './promote.js';
import type { Failure, RunState } from './run-state.js';
import { syncComponents } from './sync-components.js';

export type { Failure } from './run-state.js';

export interface BackupRun {
  ref: SnapshotRef;
  meta: BackupMeta;
  failures: Failure[];
  outcome: PromoteOutcome;
}

/** Interrupted runs of other dates cannot be resumed under their label; they only take space. */
function removeStalePartials(root: string, ref: SnapshotRef, log: Logger): void {
  const dir = layout.kindDir(root, ref.kind);
  for (const name of existsSync(dir) ? readdirSync(dir) : []) {
    if (name.endsWith(PARTIAL_SUFFIX) && name !== `${ref.date}${PARTIAL_SUFFIX}`) {
      log.warn({ partial: join(dir, name) }, `removing ${join(dir, name)}, an interrupted run of another date`);
      rmSync(join(dir, name), { recursive: true, force: true });
    }
  }
}

/** This date's `.partial`: reused after an interruption, made anew after a disk failure. */
function preparePartial(root: string, ref: SnapshotRef, log: Logger, discardPartial: boolean | undefined): string {
  const partial = layout.partial(root, ref);
  makeDir(layout.kindDir(root, ref.kind));
  removeStalePartials(root, ref, log);
  if (existsSync(partial) && discardPartial) {
    // what a failing disk wrote cannot be trusted, even where size and mtime look right
    log.warn({ partial }, `removing ${partial}: the last run failed because the backup disk failed, so its files are copied anew`);
    rmSync(partial, { recursive: true, force: true });
  } else if (existsSync(partial)) log.warn({ partial }, 'reusing the .partial of an interrupted run');
  makeDir(partial);
  chmodSync(partial, 0o700);
  return partial;
}

export async function runBackup(
  config: Config,
  ref: SnapshotRef,
  prev: Snapshot | undefined,
  log: Logger,
  runLines: string[],
  signal?: AbortSignal,
  progress: Progress = NO_PROGRESS,
  guard?: DestinationGuard,
  opts: { discardPartial?: boolean } = {},
): Promise<BackupRun> {
  const startedAt = new Date().toISOString();
  const partial = preparePartial(config.destination.root, ref, log, opts.discardPartial);
  log.info({ snapshot: snapshotId(ref), basedOn: prev?.id ?? null }, `backup ${snapshotId(ref)} started, ${prev ? `based on ${prev.id}` : 'a first full copy'}`);

  // no byte count from inside a dump: the line shows its clock, so a long dump is not silence
  const db = await inPhase(progress, 'databases', undefined, () => backupDatabases(config, partial, prev, log.child({ step: 'databases' }), signal));
  if (signal?.aborted) throw new InterruptedError();

  // One hash pool for the run (copied files are hashed as rsync delivers them) and a scratch
  // directory off the backup disk for the engine's lists (written once, read once).
  const pool = createHashPool();
  const fsPool = createFsPool();
  const scratchDir = mkdtempSync(join(tmpdir(), 'mailbackup-'));
  const run: RunState = {
    config, ref, prev, partial, log, signal, progress, guard, pool,
    components: { databases: db.component },
    failures: [...db.failures],
    warnings: db.warnings.map((w) => `databases: ${w}`),
  };
  try {
    const early = new BackgroundFlush(partial, signal);
    const synced = await syncComponents(run, { scratchDir, fsPool }, early);
    const manifest = await writeRunManifest(run, db, synced);
    const { meta, outcome } = await finishRun(run, startedAt, db, manifest, early, runLines);
    return { ref, meta, failures: run.failures, outcome };
  } finally {
    await pool.close();
    await fsPool.close();
    rmSync(scratchDir, { recursive: true, force: true });
  }
}
