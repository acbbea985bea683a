/**
 * Phases 2 to 5 of a component's sync, after the scan (scan-phase.ts): the undecided names
 * linked or listed, the copies rsynced and hashed, a live mail store's completeness check, and
 * the last step (directories' attributes and the wait for their flush).
 */
import { join } from 'node:path';
import type { ComponentRun } from './component-run.js';
import type { Scanned } from './scan-phase.js';
import { Tally } from './tally.js';
import type { ScanEntry } from '../scan/scan-entry.js';
import { linkDeferred } from '../link/deferred.js';
import { copyRootAttributes, reuseFromResume, setDirectoryAttributes } from '../link/apply.js';
import { copyAndHash, hashIfPresent, mergeCopies, toIndexEntry, type CopyInput, type CopyResult } from '../copy/copy.js';
import type { DirCounts } from '../copy/whole-dirs.js';
import { completeMaildirs } from '../complete/complete.js';
import { compareBytes } from '../../repository/manifest-format.js';
import type { RsyncItem } from '../../tools/rsync.js';

/** 2. the undecided: renamed messages and second names of an inode linked; the rest, sorted, to copy */
export function linkTheDeferred(run: ComponentRun, scanned: Scanned): { tally: Tally; copies: ScanEntry[] } {
  const tally = new Tally(run.opts.progress);
  const at = { maildir: !!run.spec.maildir, component: run.spec.name, prevComponent: run.prevComponent, dest: run.dest };
  const { linked, copies } = linkDeferred(scanned.deferred, run.planner, at);
  for (const { entry, renamed } of linked) {
    tally.add(1, entry.size, false);
    run.part.extra(entry);
    if (renamed) tally.linkedRenames++;
  }
  copies.push(...scanned.linkFailed);
  if (run.resuming) for (const e of copies) reuseFromResume(run.resume, run.dest, e);
  copies.sort((a, b) => compareBytes(a.path, b.path));
  return { tally, copies };
}

/** what rsync needs of this component, for the copies (phase 3) and the attributes (phase 5) */
export function copyInput(run: ComponentRun, dirs: DirCounts | undefined): CopyInput {
  const onItem = (item: RsyncItem) => {
    if (item.code[0] === '>' && item.code[1] === 'f') run.opts.progress?.add(1, item.size);
  };
  const { srcRoot, dest, spec, pool, opts } = run;
  return { srcRoot, dest, name: spec.name, exclude: spec.exclude, scratchFile: run.part.scratch('rsync-list'), pool, signal: opts.signal, onItem, dirs, maildir: spec.maildir };
}

/** 3. rsync the copies, the scan's and the late ones, each batch hashed after its rsync */
export async function copyChanged(run: ComponentRun, input: CopyInput, lateCopies: ScanEntry[]): Promise<{ tally: Tally; copied: CopyResult }> {
  const tally = new Tally(run.opts.progress);
  const expectedFiles = run.part.copyCount + lateCopies.length;
  const copied = await copyAndHash({ ...input, expectedFiles }, mergeCopies(run.part.copies(), lateCopies), (entry, inOrder) => {
    if (inOrder) run.part.copied(entry);
    else run.part.extra(entry);
    tally.add(1, entry.size, true, true);
  });
  tally.vanished += copied.vanished;
  return { tally, copied };
}

/** 4. a live mail store: what rsync missed while Dovecot moved it, and duplicates it made */
export async function completeMaildir(run: ComponentRun, scanned: Scanned, startedAt: number): Promise<Tally> {
  const { spec, opts, part } = run;
  const tally = new Tally(opts.progress);
  const received: string[] = [];
  const c = await completeMaildirs({
    srcRoot: run.srcRoot, dest: run.dest, entries: run.entries, exclude: spec.exclude, since: startedAt, seen: scanned.seenDirs,
    scratchFile: part.scratch('missed'), log: opts.log, signal: opts.signal,
    onItem: (item) => {
      if (item.code[0] === '>' && item.code[1] === 'f') received.push(item.name);
    },
    onRemove: (p) => part.removed(p),
  });
  for (const p of received) {
    const h = await hashIfPresent(run.pool, join(run.dest, p));
    if (!h) continue;
    const entry = toIndexEntry(`${spec.name}/${p}`, h, true);
    part.extra(entry);
    tally.add(1, entry.size, true);
  }
  tally.recovered = c.copied;
  tally.vanished += c.vanished;
  opts.log.debug({ component: spec.name, ...c }, 'completeness check done');
  return tally;
}

/**
 * 5. last, when nothing more is written into them: the directories' attributes (their mtimes
 * moved with every link and copy) and the symlinks, by one rsync over their names; then the
 * wait for the fsync of the component's directory, whose error is still this component's
 * (apply.ts says why; docs/architecture.md says why it is not waited on sooner).
 */
export function lastStep(run: ComponentRun, scanned: Scanned, input: CopyInput): () => Promise<void> {
  return async () => {
    await setDirectoryAttributes({ ...input, scratchFile: run.part.scratch('attributes') }, scanned.specials);
    if (!run.entries) copyRootAttributes(run.srcRoot, run.dest);
    await scanned.flushed;
  };
}
