/**
 * `backup --weekly` on a day whose daily snapshot is ok: the weekly snapshot is a hardlink
 * clone of it (no second copy of anything, no second dump). backup.json is rewritten through
 * an atomic rename, so the daily's own backup.json inode is never touched (invariant 3 of docs/invariants.md).
 */
import { existsSync, rmSync } from 'node:fs';
import { makeDir } from '../repository/atomic.js';
import type { Logger } from 'pino';
import { hardlinkClone } from '../tools/coreutils.js';
import { layout, snapshotId, type SnapshotRef } from '../repository/layout.js';
import { writeMeta, type BackupMeta } from '../repository/metadata.js';
import type { Snapshot } from '../repository/snapshots.js';
import { promote, type PromoteOutcome } from './promote.js';
import { flushDestination } from '../repository/flush.js';
import type { DestinationGuard } from '../repository/guard.js';

export async function cloneToWeekly(
  root: string,
  daily: Snapshot & { meta: BackupMeta },
  log: Logger,
  signal?: AbortSignal,
  guard?: DestinationGuard,
): Promise<{ ref: SnapshotRef; meta: BackupMeta; outcome: PromoteOutcome }> {
  const ref: SnapshotRef = { kind: 'weekly', date: daily.date };
  const partial = layout.partial(root, ref);
  const startedAt = new Date().toISOString();
  makeDir(layout.kindDir(root, 'weekly'));
  if (existsSync(partial)) rmSync(partial, { recursive: true, force: true });
  await hardlinkClone(daily.dir, partial, signal);
  const meta: BackupMeta = {
    ...daily.meta,
    kind: 'weekly',
    clonedFrom: daily.id,
    startedAt,
    finishedAt: new Date().toISOString(),
    totals: daily.meta.totals && { ...daily.meta.totals, addedFiles: 0, addedBytes: 0 },
  };
  writeMeta(partial, meta);
  await flushDestination(partial, `snapshot ${snapshotId(ref)}`, guard, signal); // on the device before it is named
  guard?.check();
  const outcome = promote(root, ref, 'ok');
  log.info({ snapshot: snapshotId(ref), clonedFrom: daily.id, outcome }, `${snapshotId(ref)} cloned from ${daily.id}`);
  return { ref, meta, outcome };
}
