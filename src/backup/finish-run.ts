/**
 * The end of a run, once the components are copied: the manifest (the truth about what the
 * snapshot holds), the message index, backup.json, the quick verification, the data made
 * durable, and promotion. Nothing names the snapshot before its data is on the device.
 */
import { hostname } from 'node:os';
import { statSync } from 'node:fs';
import { writeManifest, type ManifestResult } from '../engine/index.js';
import { InterruptedError } from '../errors.js';
import { inPhase } from '../log/progress.js';
import { filesAndBytes, formatBytes } from '../log/units.js';
import { makeDurable, type BackgroundFlush } from './durable.js';
import { indexMessages, type IndexStep } from './message-index.js';
import { promote, type PromoteOutcome } from './promote.js';
import { quickVerify } from './quick-verify.js';
import type { RunState } from './run-state.js';
import { finishAttributes, type SyncedComponents } from './sync-components.js';
import type { DatabasesOutcome } from '../datasource/mariadb/index.js';
import { layout, snapshotId } from '../repository/layout.js';
import { writeMeta, type BackupMeta } from '../repository/metadata.js';
import { writeFileAtomic } from '../repository/atomic.js';
import { VERSION } from '../util/version.js';

/** The manifest, with the components' last rsyncs running beside it (sync-components.ts says why). */
export async function writeRunManifest(run: RunState, db: DatabasesOutcome, synced: SyncedComponents): Promise<ManifestResult> {
  const { components, partial, pool, signal, progress } = run;
  const files = Object.values(components).filter((c) => c !== db.component);
  const totals = { files: files.reduce((n, c) => n + c.files, db.component.files), bytes: files.reduce((n, c) => n + c.bytes, db.component.bytes) };
  const attributes = finishAttributes(run, synced.finishers);
  const mlog = run.log.child({ step: 'manifest' });
  const manifest = await inPhase(progress, 'manifest', totals, (phase) => writeManifest(partial, synced.parts, { log: mlog, pool, signal, progress: phase })).finally(() => attributes);
  if (signal?.aborted) throw new InterruptedError();
  return manifest;
}

/**
 * On a live store rsync's own count (its file list) is not what the snapshot holds: names
 * vanished, the completeness check added some. The manifest's walk is the truth; rsync's count
 * stays as the independent cross-check (quick-verify.ts) for components that saw no traffic.
 */
function adoptManifestCounts(components: BackupMeta['components'], manifest: ManifestResult): Record<string, number> {
  const engineCounts: Record<string, number> = {};
  for (const [name, c] of Object.entries(components)) {
    if (name === 'databases' || c.status !== 'ok') continue;
    if (!c.vanished && !c.recovered) engineCounts[name] = c.files;
    c.files = manifest.byTop[name]?.files ?? 0;
    c.bytes = manifest.byTop[name]?.bytes ?? 0;
  }
  return engineCounts;
}

function buildMeta(run: RunState, startedAt: string, db: DatabasesOutcome, manifest: ManifestResult, messageIndex?: BackupMeta['messageIndex']): BackupMeta {
  const { components, ref, prev } = run;
  const fileComponents = Object.entries(components).filter(([n]) => n !== 'databases').map(([, c]) => c);
  return {
    format: 1,
    tool: { name: 'mailbackup', version: VERSION },
    host: hostname(),
    date: ref.date,
    kind: ref.kind,
    startedAt,
    finishedAt: '',
    status: run.failures.length ? 'failed' : 'ok',
    components,
    databases: db.databases,
    ...(db.list ? { databaseList: db.list } : {}),
    ...(db.grants ? { grants: db.grants } : {}),
    warnings: run.warnings,
    basedOn: prev?.id,
    sourceRoot: rootAttributes(run.config.source.root),
    ...(messageIndex ? { messageIndex } : {}),
    totals: {
      files: manifest.files,
      bytes: manifest.bytes,
      addedFiles: fileComponents.reduce((n, c) => n + (c.addedFiles ?? 0), 0) + db.component.files,
      addedBytes: fileComponents.reduce((n, c) => n + (c.addedBytes ?? 0), 0) + db.component.bytes,
    },
  };
}

/** backup.json from what the run recorded, checked, made durable and written; the snapshot promoted. */
export async function finishRun(run: RunState, startedAt: string, db: DatabasesOutcome, manifest: ManifestResult, early: BackgroundFlush, runLines: string[]): Promise<{ meta: BackupMeta; outcome: PromoteOutcome }> {
  const { config, partial, prev, log, warnings } = run;
  const engineCounts = adoptManifestCounts(run.components, manifest);
  // The message index (find, restore by filter) is built from the manifest just written, while
  // the data goes to the device: one is mostly CPU, the other mostly waiting on the disk. It is
  // fsynced by its writer, and the command's last syncfs covers its rename.
  const indexing = config.messageIndex && run.components.mail?.status === 'ok' ? indexMessages(config, partial, prev?.dir, run.pool, log.child({ step: 'index' }), run.signal) : Promise.resolve<IndexStep>({});
  const meta = buildMeta(run, startedAt, db, manifest, undefined);
  try {
    await checkAndMakeDurable(run, meta, manifest, engineCounts, early);
  } finally {
    await indexing.catch(() => undefined); // not left writing into the partial when this throws
  }
  const indexed = await indexing;
  if (indexed.warning) warnings.push(`index: ${indexed.warning}`);
  if (indexed.meta) meta.messageIndex = indexed.meta;
  meta.finishedAt = new Date().toISOString();
  log.info(
    { status: meta.status, files: meta.totals!.files, bytes: meta.totals!.bytes, addedBytes: meta.totals!.addedBytes },
    `snapshot ${meta.status}: ${filesAndBytes(meta.totals!.files, meta.totals!.bytes)}, ${formatBytes(meta.totals!.addedBytes)} added on disk`,
  );
  writeFileAtomic(layout.backupLog(partial), runLines.join('\n') + '\n', 0o600);
  writeMeta(partial, meta);
  run.guard?.check();
  return { meta, outcome: promoteRun(run, meta) };
}

async function checkAndMakeDurable(run: RunState, meta: BackupMeta, manifest: ManifestResult, engineCounts: Record<string, number>, early: BackgroundFlush): Promise<void> {
  const { partial, ref, log } = run;
  const check = await quickVerify(partial, meta, manifest.byTop, engineCounts);
  meta.verification = { at: new Date().toISOString(), level: 'quick', ok: check.ok, ...(check.ok ? {} : { damaged: check.problems }) };
  if (!check.ok) {
    meta.status = 'failed';
    run.failures.push(...check.problems.map((p) => ({ step: 'verify', error: p })));
    log.error({ problems: check.problems }, `quick verification failed: ${check.problems.join('; ')}`);
  }
  if (meta.status === 'ok') {
    // the data and manifest on the device before anything names this snapshot (issue 29)
    const r = await makeDurable(partial, snapshotId(ref), { log: log.child({ step: 'durable' }), guard: run.guard, signal: run.signal, early });
    meta.verification.readBack = { files: r.files, bytes: r.bytes, newFiles: r.newFiles, direct: r.direct };
  }
}

function promoteRun(run: RunState, meta: BackupMeta): PromoteOutcome {
  const { ref, log, warnings } = run;
  const outcome = promote(run.config.destination.root, ref, meta.status);
  if (outcome === 'kept-held') {
    warnings.push(`${snapshotId(ref)} stays .partial: a reader (verify, restore or drill) holds the earlier snapshot of this day; run the backup again when it is done`);
    log.warn({ snapshot: snapshotId(ref) }, warnings[warnings.length - 1]);
  } else log.info({ snapshot: snapshotId(ref), outcome }, outcome === 'kept-partial' ? 'kept as .partial: the earlier snapshot of this day stays' : `${snapshotId(ref)} promoted`);
  return outcome;
}

/** source.root's own mode and owner: rsync copies what is under it, not the directory itself. */
function rootAttributes(root: string): BackupMeta['sourceRoot'] {
  const st = statSync(root, { throwIfNoEntry: false });
  return st && { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
}
