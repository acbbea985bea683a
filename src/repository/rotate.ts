/**
 * Applies the retention plan (retention.ts). The caller holds the lock: the backup pipeline at
 * the end of a successful run, or the `rotate` command. Each victim is renamed to `*.deleting`
 * first (invariant 5 of docs/invariants.md): listSnapshots ignores that name, so an interrupted deletion never leaves
 * a half snapshot that list or restore would take for a real one; the next run finishes it.
 * Before that rename: write the intent to delete, then look at the readers (the protocol of
 * readers.ts); a victim a live reader holds is never renamed, and waits for the next rotation.
 */
import { renameSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { NO_PROGRESS, type Progress } from '../log/progress.js';
import { formatDuration } from '../log/units.js';
import { removeTree } from '../tools/rm.js';
import { flushDestination } from './flush.js';
import { DELETING_SUFFIX, localDate } from './layout.js';
import { planRetention, summarize, type RetentionPlan } from './retention.js';
import { claimDeletion, removeStaleIntents } from './deletion-intent.js';
import { describeHolder } from './holder.js';
import { holdersOf, judgeReaders, removeStaleReaders, runSteps, type JudgedReader } from './readers.js';
import { listLeftovers, listSnapshots, readLatest, type Snapshot } from './snapshots.js';

export interface DeferredDeletion {
  id: string;
  /** the readers holding it: "pid 123 on mail01, `drill` since …" */
  heldBy: string[];
}

export interface RotationReport {
  dryRun: boolean;
  today: string;
  /** `*.deleting` directories left by an interrupted run, removed (or, dry run, to remove) first */
  finishedDeletions: string[];
  plan: RetentionPlan;
  /** snapshot ids actually deleted (empty on a dry run) */
  deleted: string[];
  /** victims a live reader holds: kept now, deleted by the next rotation */
  deferred: DeferredDeletion[];
  /** reader files (and deletion intents) of provably gone readers (and rotations), removed */
  staleReaders: string[];
  /** why nothing was deleted, when deletion was refused */
  refused?: string;
}

export interface RotationOptions {
  root: string;
  retention: Config['retention'];
  log: Logger;
  dryRun?: boolean;
  today?: string;
  signal?: AbortSignal;
  progress?: Progress;
}

export async function runRotation(opts: RotationOptions): Promise<RotationReport> {
  const { root, log } = opts;
  const dryRun = Boolean(opts.dryRun);
  const today = opts.today ?? localDate();

  const finishedDeletions = listLeftovers(root).deleting;
  if (!dryRun) {
    for (const dir of finishedDeletions) {
      const t0 = Date.now();
      await removeTree(dir, { signal: opts.signal });
      log.info({ dir, durationMs: Date.now() - t0 }, `finished deleting ${dir} (interrupted earlier) in ${formatDuration(Date.now() - t0)}`);
    }
  }

  const staleReaders: string[] = [];
  const judged = readerJudge(root, log, staleReaders);
  if (!dryRun) {
    judged();
    for (const i of removeStaleIntents(root)) {
      staleReaders.push(i.file);
      log.warn({ intent: i.record, reason: i.verdict.kind === 'stale' ? i.verdict.reason : '' }, 'removed the deletion intent of a rotation that is gone');
    }
  }

  const snaps = listSnapshots(root);
  const plan = planRetention(snaps.map(summarize), opts.retention, today, { latest: readLatest(root) });
  const report: RotationReport = { dryRun, today, finishedDeletions, plan, deleted: [], deferred: [], staleReaders, refused: plan.refused };
  if (plan.refused) log.warn({ reason: plan.refused }, 'rotation deletes nothing');
  if (dryRun) return report;
  await deleteVictims(opts, snaps, report, judged);
  if (report.deleted.length) await flushDestination(root, 'the rotation', undefined, opts.signal);
  const deferred = report.deferred.length ? `, ${report.deferred.length} deferred (a reader holds them)` : '';
  log.info({ kept: plan.keep.length, deleted: report.deleted.length, deferred: report.deferred.length }, `rotation: ${plan.keep.length} kept, ${report.deleted.length} deleted${deferred}`);
  return report;
}

/** The plan's deletions, each through the intent protocol: one a reader holds is deferred to the next rotation. */
async function deleteVictims(opts: RotationOptions, snaps: Snapshot[], report: RotationReport, judged: () => JudgedReader[]): Promise<void> {
  const { root, log } = opts;
  // deleting a big snapshot takes minutes (rm of every link): the line moves per snapshot
  const victims = report.plan.delete.map((v) => ({ v, snap: snaps.find((s) => s.id === v.id)! }));
  const size = (s: Snapshot) => ({ files: s.meta?.totals?.files ?? 0, bytes: s.meta?.totals?.bytes ?? 0 });
  const phase = victims.length
    ? (opts.progress ?? NO_PROGRESS).phase('rotate', victims.reduce((t, x) => ({ files: t.files + size(x.snap).files, bytes: t.bytes + size(x.snap).bytes }), { files: 0, bytes: 0 }))
    : undefined;
  for (const { v: victim, snap } of victims) {
    opts.signal?.throwIfAborted();
    const doomed = snap.dir + DELETING_SUFFIX;
    const t0 = Date.now();
    const heldBy = runSteps(takeVictimSteps(root, victim.id, snap.dir, doomed, judged));
    if (heldBy) {
      report.deferred.push({ id: victim.id, heldBy });
      log.info({ snapshot: victim.id, heldBy }, `deletion of ${victim.id} deferred: a reader holds it; the next rotation deletes it`);
      phase?.add(size(snap).files, size(snap).bytes);
      continue;
    }
    await removeTree(doomed, { signal: opts.signal });
    report.deleted.push(victim.id);
    phase?.add(size(snap).files, size(snap).bytes);
    log.info({ snapshot: victim.id, reason: victim.reason, durationMs: Date.now() - t0 }, `deleted ${victim.id} (${victim.reason}) in ${formatDuration(Date.now() - t0)}`);
  }
  phase?.done();
}

/** Judges the readers; files of readers that are gone block nothing: removed, with a warning naming them. */
function readerJudge(root: string, log: Logger, removed: string[]): () => JudgedReader[] {
  return () => {
    const readers = judgeReaders(root);
    for (const r of removeStaleReaders(readers)) {
      removed.push(r.file);
      log.warn({ reader: r.record, reason: r.verdict.kind === 'stale' ? r.verdict.reason : '' }, 'removed the reader lock of a reader that is gone');
    }
    return readers;
  };
}

const foreignNote = (v: { kind: string }) => (v.kind === 'foreign' ? ' (another machine: `mailbackup unlock` if it is gone)' : '');

/**
 * Intent first, then the readers, then the rename (readers.ts): a reader registered before the
 * look is seen here, a later one sees the intent. Returns who holds the victim, or undefined
 * once it is renamed to `doomed`. The intent goes as soon as the victim is renamed or kept.
 * Step by step like holdSteps, so a test can interleave the two halves.
 */
export function* takeVictimSteps(root: string, id: string, dir: string, doomed: string, judged: () => JudgedReader[]): Generator<void, string[] | undefined> {
  const claim = claimDeletion(root, id, 'rotate');
  if ('heldBy' in claim) return [`${describeHolder(claim.heldBy.record!)}, deleting it${foreignNote(claim.heldBy.verdict)}`];
  try {
    yield;
    const holders = holdersOf(judged(), id);
    if (holders.length) return holders.map((h) => describeHolder(h.record!) + foreignNote(h.verdict));
    yield;
    renameSync(dir, doomed);
    yield;
    return undefined;
  } finally {
    claim.intent.release();
  }
}

/** Readable lines of a rotation report (rotate command, backup.log). */
export function formatRotation(r: RotationReport): string[] {
  const lines: string[] = [];
  const verb = r.dryRun ? 'would' : 'did';
  for (const d of r.finishedDeletions) lines.push(`${r.dryRun ? 'would finish' : 'finished'} interrupted deletion ${d}`);
  for (const k of r.plan.keep) lines.push(`keep    ${k.id.padEnd(17)} ${k.reason}`);
  for (const d of r.plan.delete) lines.push(`delete  ${d.id.padEnd(17)} ${d.reason}`);
  for (const d of r.deferred ?? []) lines.push(`deferred ${d.id}: in use by ${d.heldBy.join('; ')}; the next rotation deletes it`);
  if (r.refused) lines.push(`deletion refused: ${r.refused}`);
  lines.push(`${r.plan.keep.length} kept, ${r.dryRun ? r.plan.delete.length : r.deleted.length} ${verb === 'would' ? 'to delete (dry run)' : 'deleted'}${r.deferred?.length ? `, ${r.deferred.length} deferred` : ''}`);
  return lines;
}
