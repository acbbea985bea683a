/**
 * syncComponent (docs/architecture.md): one scan of the source, merge-joined with the previous
 * snapshot's manifest.index; unchanged files become hardlinks to the previous snapshot's inodes
 * as the scan meets them, renamed messages link from their old name, and only new or changed
 * files go to rsync, each batch hashed once rsync is done with it. Neither snapshot is walked:
 * what the new one holds is known from the plan, and handed to writeManifest as a ComponentPart.
 *
 * Why not `cp -al` + rsync, or `rsync --link-dest`: both walk the previous snapshot and the
 * source in full again, and on a USB disk every walk of a 1 M-file tree costs minutes.
 */
import type { ComponentSpec, ComponentSyncResult, SyncOptions } from '../types.js';
import { closeRun, openRun } from './component-run.js';
import { scanAndLink } from './scan-phase.js';
import { completeMaildir, copyChanged, copyInput, lastStep, linkTheDeferred } from './late-phases.js';
import { Tally } from './tally.js';
import { InterruptedError } from '../../errors.js';

export async function syncComponent(spec: ComponentSpec, opts: SyncOptions): Promise<ComponentSyncResult> {
  const t0 = Date.now();
  const run = await openRun(spec, opts);
  let tally: Tally;
  let finishAttributes: (() => Promise<void>) | undefined;
  try {
    const scanned = await scanAndLink(run); // 1.
    const tScan = Date.now();
    const late = linkTheDeferred(run, scanned); // 2.
    const tLink = Date.now();
    const input = copyInput(run, scanned.dirCounts);
    const { tally: copyTally, copied } = await copyChanged(run, input, late.copies); // 3.
    const tCopy = Date.now();
    const completed = spec.maildir ? await completeMaildir(run, scanned, t0) : new Tally(); // 4.
    if (opts.signal?.aborted) throw new InterruptedError();
    const finish = lastStep(run, scanned, input); // 5.
    if (opts.deferAttributes) finishAttributes = finish;
    else await finish();
    run.part.finish();
    tally = Tally.sum(scanned.tally, late.tally, copyTally, completed);
    opts.log.debug({
      component: spec.name, scanned: scanned.scanned, deferred: scanned.deferred.length, linkedRenames: tally.linkedRenames, copied: copied.files,
      batches: copied.batches, scanMs: tScan - t0, resolveMs: tLink - tScan, copyMs: tCopy - tLink, completeMs: Date.now() - tCopy,
    }, 'engine phases');
  } catch (err) {
    await closeRun(run, false);
    throw err;
  }
  await closeRun(run, true);
  logChurn(spec, opts, tally);
  const { files, bytes, addedFiles, addedBytes, linkedRenames, vanished, recovered } = tally;
  return {
    files, bytes, addedFiles, addedBytes, linkedRenames, vanished, recovered, warnings: [], durationMs: Date.now() - t0, part: run.part.part,
    ...(finishAttributes ? { finishAttributes } : {}),
  };
}

/** names come and go all day on a live mail store: counted, never a warning on their own */
function logChurn(spec: ComponentSpec, opts: SyncOptions, t: Tally): void {
  if (t.vanished === 0 && t.recovered === 0) return;
  opts.log.info({ component: spec.name, vanished: t.vanished, recovered: t.recovered },
    `${spec.name}: ${t.vanished} names vanished while they were copied (renamed or expunged meanwhile)` +
      (t.recovered ? `; ${t.recovered} messages seen under their new names were copied afterwards` : ''));
}
