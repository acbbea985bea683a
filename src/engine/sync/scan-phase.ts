/**
 * Phase 1 of a component's sync: one scan of the source, merge-joined with the previous index.
 * Unchanged files are linked as the scan meets them (on the fs workers, whole leaf directories
 * at once), new and changed ones listed for rsync, and the undecided (a renamed message, a
 * second name of an inode) kept for phase 2.
 */
import { lstatSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { ComponentRun } from './component-run.js';
import { toCopy } from './component-run.js';
import { Tally } from './tally.js';
import { scanSource, type ScanEntry } from '../scan/scan.js';
import { compileExcludes } from '../scan/exclude-match.js';
import type { LinkedInode } from '../scan/fs-pool.js';
import type { Decision } from '../link/link-plan.js';
import { LinkQueue } from '../link/link-queue.js';
import { LeafDirs, type LeafContext } from '../link/leaf-dirs.js';
import { flushDirectory, linkedEntry, mkdirFresh } from '../link/apply.js';
import { DirCounts } from '../copy/whole-dirs.js';
import type { SeenDir } from '../complete/complete.js';
import { sharedIndexLine, type IndexEntry } from '../../repository/manifest-format.js';
import { ownString } from '../../util/own-string.js';

export interface Scanned {
  tally: Tally;
  /** names entered by the scan (the debug log's count) */
  scanned: number;
  /** waiting for phase 2: possibly renamed messages, second names of an inode */
  deferred: ScanEntry[];
  /** links that failed or gave another inode: taken from the source */
  linkFailed: ScanEntry[];
  /** directories and symlinks: their attributes are set last (phase 5) */
  specials: string[];
  /** a live mail store: each directory's mtime as the scan read it (complete.ts) */
  seenDirs?: Map<string, SeenDir>;
  /** entries per directory, for whole-directory copies (whole-dirs.ts); a `dir` source only */
  dirCounts?: DirCounts;
  /** the fsync of the component's directory, awaited in the last step */
  flushed: Promise<void>;
}

export async function scanAndLink(run: ComponentRun): Promise<Scanned> {
  const { spec, opts, srcRoot, entries } = run;
  const out: Scanned = {
    tally: new Tally(opts.progress), scanned: 0, deferred: [], linkFailed: [], specials: [],
    seenDirs: spec.maildir ? new Map() : undefined, dirCounts: entries ? undefined : new DirCounts(), flushed: Promise.resolve(),
  };
  if (out.seenDirs && !entries) out.seenDirs.set('', { mtimeMs: lstatSync(srcRoot).mtimeMs, at: Date.now() });
  const seen = { files: 0, bytes: 0 }; // what the snapshot will hold: the progress line's totals
  const links = linkQueue(run, out);
  const leaves = run.prevIndex && leafDirs(run, out, links, seen);
  const scan = scanSource(srcRoot, {
    pool: run.fsPool, entries, exclude: compileExcludes(spec.exclude), leafDirs: !!leaves, signal: opts.signal, onGone: () => out.tally.vanished++,
  });
  for await (const batch of scan) {
    if (batch.leafOf !== undefined) {
      const wait = leaves!.add(batch.leafOf);
      if (wait) await wait;
      continue;
    }
    const decided: Decision[] = []; // copies and waits, kept in order with the leaf directories' (link-queue.ts)
    for (const e of batch) {
      countScanned(out, seen, e);
      const d = run.planner.decide(e);
      if (d.op === 'link') {
        const wait = links.add(d.from, e.path, { e, prev: d.prev });
        if (wait) await wait;
      } else if (d.op === 'mkdir') madeDir(run, out, e);
      else if (d.op === 'special') out.specials.push((e.path = ownString(e.path)));
      else decided.push(d);
    }
    if (decided.length > 0) links.later(() => decided.forEach((d) => route(run, out, d)));
  }
  await links.drain();
  run.planner.finish();
  out.flushed = flushDirectory(run.dest);
  out.flushed.catch(() => {});
  opts.progress?.setTotals?.(seen);
  return out;
}

function countScanned(out: Scanned, seen: { files: number; bytes: number }, e: ScanEntry): void {
  out.scanned++;
  if (e.kind === 'file') {
    seen.files++;
    seen.bytes += e.size;
  }
  if (e.kind === 'dir') out.dirCounts?.dir(e.path);
  else out.dirCounts?.entry(e.path);
}

function madeDir(run: ComponentRun, out: Scanned, e: ScanEntry): void {
  e.path = ownString(e.path); // kept past this batch
  out.seenDirs?.set(e.path, { mtimeMs: e.mtimeMs, at: e.listedAt ?? 0 });
  mkdirFresh(join(run.dest, e.path), 0o700);
  out.specials.push(e.path);
}

/** a decision that is not a link: to copy, to wait for phase 2, or a special file */
function route(run: ComponentRun, out: Scanned, d: Decision): void {
  if (d.op === 'copy') toCopy(run, d.e);
  else if (d.op === 'defer') {
    d.e.path = ownString(d.e.path); // kept past this batch
    out.deferred.push(d.e);
  } else if (d.op === 'special') out.specials.push(d.e.path);
}

/** links by name on the fs workers; each settled link checked against the index entry it came from */
function linkQueue(run: ComponentRun, out: Scanned): LinkQueue<{ e: ScanEntry; prev: IndexEntry }> {
  const bases = { fromBase: `${run.prevComponent}/`, toBase: `${run.dest}/` };
  return new LinkQueue<{ e: ScanEntry; prev: IndexEntry }>(run.fsPool, bases, ({ e, prev }, inode: LinkedInode | undefined) => {
    const entry = inode && linkedEntry(e, prev, inode, run.spec.name);
    if (entry) {
      out.tally.add(1, entry.size, false);
      // the same inode at the same name: the previous index line stands, marked as shared
      const shared = entry.ino === prev.ino && prev.line !== undefined ? sharedIndexLine(prev.line) : undefined;
      if (shared !== undefined) run.part.linkedLine(shared);
      else run.part.linked(entry);
      return;
    }
    if (inode) unlinkSync(join(run.dest, e.path)); // not the inode the index describes
    e.path = ownString(e.path);
    out.linkFailed.push(e);
  });
}

/** directories that hold no directory, listed and linked whole on the fs workers (dir-link.ts) */
function leafDirs(run: ComponentRun, out: Scanned, links: LeafContext['links'], seen: { files: number; bytes: number }): LeafDirs {
  return new LeafDirs({
    component: run.spec.name, srcRoot: run.srcRoot, prevComponent: run.prevComponent!, dest: run.dest, planner: run.planner, links,
    effects: {
      listed: (dir, n) => {
        out.scanned += n.entries;
        seen.files += n.files;
        seen.bytes += n.bytes;
        out.tally.vanished += n.vanished;
        out.dirCounts?.entries(dir, n.entries);
      },
      linked: (text, files, bytes) => {
        run.part.linkedText(text);
        out.tally.add(files, bytes, false);
      },
      decided: (d) => route(run, out, d),
      failed: (e) => out.linkFailed.push(e),
    },
  });
}
