/**
 * Turning a finished `.partial` into a snapshot and moving `latest` (invariants 1 and 2 of docs/invariants.md).
 * Re-running on the same day replaces that day's snapshot only when the new run is ok.
 */
import { existsSync, renameSync, rmSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';
import { DELETING_SUFFIX, layout, snapshotId, type SnapshotRef } from '../repository/layout.js';
import { judgeReaders, runSteps } from '../repository/readers.js';
import { takeVictimSteps } from '../repository/rotate.js';
import { isOk, listSnapshots, readLatest, setLatest, type Snapshot } from '../repository/snapshots.js';
import type { RunStatus } from '../repository/metadata.js';

/** kept-held: the run was ok, but a reader holds the earlier snapshot of this day, which stays */
export type PromoteOutcome = 'promoted' | 'replaced' | 'kept-partial' | 'kept-held';

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Newest ok snapshot by date; on the same date the daily one (the weekly is its clone). */
export function latestTarget(snaps: Snapshot[]): Snapshot | undefined {
  const ok = snaps.filter(isOk);
  ok.sort((a, b) => (a.date === b.date ? (a.kind === 'daily' ? 1 : -1) : a.date < b.date ? -1 : 1));
  return ok[ok.length - 1];
}

export function promote(root: string, ref: SnapshotRef, status: RunStatus): PromoteOutcome {
  const partial = layout.partial(root, ref);
  const final = layout.snapshot(root, ref);
  let outcome: PromoteOutcome = 'promoted';
  let replaced: string | undefined;
  if (existsSync(final)) {
    // The earlier snapshot of this day stays unless the new one is ok; a failed rerun remains
    // a .partial that the next run reuses.
    if (status !== 'ok') return 'kept-partial';
    replaced = `${final}.${Date.now()}${DELETING_SUFFIX}`;
    // the same protocol as rotation (invariant 5): a reader of the earlier snapshot keeps it
    const heldBy = runSteps(takeVictimSteps(root, snapshotId(ref), final, replaced, () => judgeReaders(root)));
    if (heldBy) return 'kept-held';
    outcome = 'replaced';
  }
  renameSync(partial, final);
  fsyncDir(dirname(final));
  updateLatest(root);
  if (replaced) rmSync(replaced, { recursive: true, force: true });
  return outcome;
}

/** Points `latest` at the newest ok snapshot (a backfilled older date never moves it back). */
function updateLatest(root: string): string | undefined {
  const target = latestTarget(listSnapshots(root));
  if (target && readLatest(root) !== target.id) setLatest(root, target);
  return target?.id;
}
