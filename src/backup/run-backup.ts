/**
 * One backup run, in this order: databases, the file components through the snapshot engine,
 * manifest, quick verification, backup.json/backup.log, promotion, and `latest` last, so it
 * only ever points at a finished snapshot.
 * A failing component does not stop the others; the run then ends `failed` and `latest` stays.
 * The caller holds the lock and has checked the marker.
 */
import { indexMessages } from './message-index.js';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { createHashPool, createFsPool, syncComponent, writeManifest, type ComponentPart } from '../engine/index.js';
import { InterruptedError, ToolError, TransientError, errorMessage } from '../errors.js';
import { inPhase, NO_PROGRESS, type Progress } from '../log/progress.js';
import { filesAndBytes, formatBytes } from '../log/units.js';
import { VERSION } from '../util/version.js';
import { PARTIAL_SUFFIX, layout, snapshotId, type SnapshotRef } from '../repository/layout.js';
import { writeMeta, type BackupMeta } from '../repository/metadata.js';
import { makeDir, writeFileAtomic } from '../repository/atomic.js';
import type { Snapshot } from '../repository/snapshots.js';
import { planComponents } from './components.js';
import { backupDatabases } from '../datasource/mariadb/index.js';
import { missingSources } from './preflight.js';
import { promote, type PromoteOutcome } from './promote.js';
import { quickVerify } from './quick-verify.js';
import { describeComponentSync } from './report.js';
import { withRetry } from './retry.js';
import { BackgroundFlush, makeDurable } from './durable.js';
import type { DestinationGuard } from '../repository/guard.js';

export interface Failure {
  step: string;
  error: string;
}

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
  const root = config.destination.root;
  const partial = layout.partial(root, ref);
  const startedAt = new Date().toISOString();
  const failures: Failure[] = [];
  const warnings: string[] = [];

  makeDir(layout.kindDir(root, ref.kind));
  removeStalePartials(root, ref, log);
  if (existsSync(partial) && opts.discardPartial) {
    // what a failing disk wrote cannot be trusted, even where size and mtime look right
    log.warn({ partial }, `removing ${partial}: the last run failed because the backup disk failed, so its files are copied anew`);
    rmSync(partial, { recursive: true, force: true });
  } else if (existsSync(partial)) log.warn({ partial }, 'reusing the .partial of an interrupted run');
  makeDir(partial);
  chmodSync(partial, 0o700);
  log.info({ snapshot: snapshotId(ref), basedOn: prev?.id ?? null }, `backup ${snapshotId(ref)} started, ${prev ? `based on ${prev.id}` : 'a first full copy'}`);

  // no byte count from inside a dump: the line shows its clock, so a long dump is not silence
  const db = await inPhase(progress, 'databases', undefined, () => backupDatabases(config, partial, prev, log.child({ step: 'databases' }), signal));
  failures.push(...db.failures);
  warnings.push(...db.warnings.map((w) => `databases: ${w}`));
  if (signal?.aborted) throw new InterruptedError();
  const components: BackupMeta['components'] = { databases: db.component };

  // One hash pool for the run (copied files are hashed as rsync delivers them) and a scratch
  // directory off the backup disk for the engine's lists (written once, read once).
  const pool = createHashPool();
  const fsPool = createFsPool();
  const scratchDir = mkdtempSync(join(tmpdir(), 'mailbackup-'));
  const parts: ComponentPart[] = [];
  try {
    return await syncAndFinish();
  } finally {
    await pool.close();
    await fsPool.close();
    rmSync(scratchDir, { recursive: true, force: true });
  }

  async function syncAndFinish(): Promise<BackupRun> {
    const planned = planComponents(config);
    const early = new BackgroundFlush(partial, signal);
    const finishers: { name: string; log: Logger; run: () => Promise<void> }[] = [];
    const missing = missingSources(planned);
    for (const c of planned) {
      early.check(snapshotId(ref)); // a device that failed writeback: stop before copying more
      const clog = log.child({ step: c.name });
      const gone = missing.get(c.name);
      if (gone) {
        const error = `source path ${gone.join(', ')} does not exist: check source.${c.name === 'ssl' ? 'certbot' : c.name} in the config`;
        components[c.name] = { status: 'failed', files: 0, bytes: 0, durationMs: 0, error };
        failures.push({ step: c.name, error });
        clog.error({ missing: gone }, error);
        continue;
      }
      try {
        const r = await withRetry(c.name, config.retry, clog, () =>
          inPhase(progress, c.name, undefined, (phase) =>
            // the scan's totals reach the line before the copy starts (percent and ETA)
            syncComponent(c, { partialDir: partial, prevDir: prev?.dir, scratchDir, pool, fsPool, log: clog, signal, progress: phase, deferAttributes: true }),
          ), signal);
        parts.push(r.part);
        early.start();
        if (r.finishAttributes) finishers.push({ name: c.name, log: clog, run: r.finishAttributes });
        components[c.name] = {
          status: 'ok', files: r.files, bytes: r.bytes, durationMs: r.durationMs,
          addedFiles: r.addedFiles, addedBytes: r.addedBytes,
          ...(r.vanished ? { vanished: r.vanished } : {}), ...(r.recovered ? { recovered: r.recovered } : {}),
        };
        warnings.push(...r.warnings.map((w) => `${c.name}: ${w}`));
        clog.info({ files: r.files, bytes: r.bytes, addedFiles: r.addedFiles, addedBytes: r.addedBytes, linkedRenames: r.linkedRenames, durationMs: r.durationMs }, describeComponentSync(c.name, r));
      } catch (err) {
        if (signal?.aborted) throw new InterruptedError();
        const error = errorMessage(err);
        components[c.name] = { status: 'failed', files: 0, bytes: 0, durationMs: 0, error };
        failures.push({ step: c.name, error });
        clog.error({ err: error, transient: err instanceof TransientError }, `${c.name} failed`);
        // the program's whole stderr: for the log file and backup.log, never the terminal or the summary
        if (err instanceof ToolError && err.detail) clog.error({ terminal: false, stderr: err.detail }, `${c.name}: full error output`);
      }
    }

    const mlog = log.child({ step: 'manifest' });
    const synced = Object.values(components).filter((c) => c !== db.component);
    const totals = { files: synced.reduce((n, c) => n + c.files, db.component.files), bytes: synced.reduce((n, c) => n + c.bytes, db.component.bytes) };
    // each component's last rsync (directories' attributes, symlinks) runs beside the manifest,
    // which reads none of what it sets: mostly rsync's start-up, paid once instead of per component
    const attributes = Promise.all(finishers.map(async (f) => {
      try {
        await withRetry(f.name, config.retry, f.log, f.run, signal);
      } catch (err) {
        if (signal?.aborted) return;
        const error = `directory attributes and symlinks: ${errorMessage(err)}`;
        components[f.name] = { ...components[f.name], status: 'failed', error };
        failures.push({ step: f.name, error });
        f.log.error({ err: error }, `${f.name} failed`);
        if (err instanceof ToolError && err.detail) f.log.error({ terminal: false, stderr: err.detail }, `${f.name}: full error output`);
      }
    }));
    const manifest = await inPhase(progress, 'manifest', totals, (phase) => writeManifest(partial, parts, { log: mlog, pool, signal, progress: phase })).finally(() => attributes);
    if (signal?.aborted) throw new InterruptedError();

    // On a live store rsync's own count (its file list) is not what the snapshot holds: names
    // vanished, the completeness check added some. The manifest's walk is the truth; rsync's count
    // stays as the independent cross-check (quick-verify.ts) for components that saw no traffic.
    const engineCounts: Record<string, number> = {};
    for (const [name, c] of Object.entries(components)) {
      if (name === 'databases' || c.status !== 'ok') continue;
      if (!c.vanished && !c.recovered) engineCounts[name] = c.files;
      c.files = manifest.byTop[name]?.files ?? 0;
      c.bytes = manifest.byTop[name]?.bytes ?? 0;
    }
    // the message index for find and restore by filter, from the manifest just written
    const indexed = config.messageIndex && components.mail?.status === 'ok' ? await indexMessages(config, partial, prev?.dir, pool, log.child({ step: 'index' }), signal) : {};
    if (indexed.warning) warnings.push(`index: ${indexed.warning}`);
    const fileComponents = Object.entries(components).filter(([n]) => n !== 'databases').map(([, c]) => c);
    const meta: BackupMeta = {
      format: 1,
      tool: { name: 'mailbackup', version: VERSION },
      host: hostname(),
      date: ref.date,
      kind: ref.kind,
      startedAt,
      finishedAt: '',
      status: failures.length ? 'failed' : 'ok',
      components,
      databases: db.databases,
      ...(db.list ? { databaseList: db.list } : {}),
      ...(db.grants ? { grants: db.grants } : {}),
      warnings,
      basedOn: prev?.id,
      sourceRoot: rootAttributes(config.source.root),
      ...(indexed.meta ? { messageIndex: indexed.meta } : {}),
      totals: {
        files: manifest.files,
        bytes: manifest.bytes,
        addedFiles: fileComponents.reduce((n, c) => n + (c.addedFiles ?? 0), 0) + db.component.files,
        addedBytes: fileComponents.reduce((n, c) => n + (c.addedBytes ?? 0), 0) + db.component.bytes,
      },
    };

    const check = await quickVerify(partial, meta, manifest.byTop, engineCounts);
    meta.verification = { at: new Date().toISOString(), level: 'quick', ok: check.ok, ...(check.ok ? {} : { damaged: check.problems }) };
    if (!check.ok) {
      meta.status = 'failed';
      failures.push(...check.problems.map((p) => ({ step: 'verify', error: p })));
      log.error({ problems: check.problems }, `quick verification failed: ${check.problems.join('; ')}`);
    }
    if (meta.status === 'ok') {
      // the data and manifest on the device before anything names this snapshot (issue 29)
      const r = await makeDurable(partial, snapshotId(ref), { log: log.child({ step: 'durable' }), guard, signal, early });
      meta.verification!.readBack = { files: r.files, bytes: r.bytes, newFiles: r.newFiles, direct: r.direct };
    }
    meta.finishedAt = new Date().toISOString();
    log.info(
      { status: meta.status, files: meta.totals!.files, bytes: meta.totals!.bytes, addedBytes: meta.totals!.addedBytes },
      `snapshot ${meta.status}: ${filesAndBytes(meta.totals!.files, meta.totals!.bytes)}, ${formatBytes(meta.totals!.addedBytes)} added on disk`,
    );
    writeFileAtomic(layout.backupLog(partial), runLines.join('\n') + '\n', 0o600);
    writeMeta(partial, meta);
    guard?.check();
    const outcome = promote(root, ref, meta.status);
    if (outcome === 'kept-held') {
      warnings.push(`${snapshotId(ref)} stays .partial: a reader (verify, restore or drill) holds the earlier snapshot of this day; run the backup again when it is done`);
      log.warn({ snapshot: snapshotId(ref) }, warnings[warnings.length - 1]);
    } else log.info({ snapshot: snapshotId(ref), outcome }, outcome === 'kept-partial' ? 'kept as .partial: the earlier snapshot of this day stays' : `${snapshotId(ref)} promoted`);
    return { ref, meta, failures, outcome };
  }
}

/** source.root's own mode and owner: rsync copies what is under it, not the directory itself. */
function rootAttributes(root: string): BackupMeta['sourceRoot'] {
  const st = statSync(root, { throwIfNoEntry: false });
  return st && { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
}
