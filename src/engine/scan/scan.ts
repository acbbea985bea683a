/**
 * The one read of a component's source per run (docs/architecture.md): names and lstat of every
 * entry, depth-first, paths in byte order (manifest order, sortDirEntries), so that it can be
 * merge-joined with the previous snapshot's manifest.index without holding either in memory.
 * It skips what rsync's --exclude patterns skip (exclude-match.ts) and, in the -R entries form,
 * everything outside the configured entries.
 *
 * The listings and lstats are made by the file system pool's threads (fs-pool.ts), a few
 * directories ahead of the consumer, which meanwhile decides and links on this thread. What is
 * read ahead is bounded (MAX_BUFFERED entries), so memory follows that, not the tree.
 *
 * A live mail store changes under the scan: a directory or a name that is gone when it is read
 * was renamed or expunged meanwhile, and is skipped (the completeness check finds the new name).
 */
import { sortDirEntries } from '../../repository/manifest-format.js';
import { entryCoverage } from './source.js';
import type { ExcludeMatcher } from './exclude-match.js';
import { KIND, LISTING_STRIDE, type FsPool, type Listing } from './fs-pool.js';
import { InterruptedError } from '../../errors.js';
import type { FileStat } from '../../repository/manifest-format.js';

export type EntryKind = 'file' | 'dir' | 'symlink' | 'other';

export interface ScanEntry extends FileStat {
  /** relative to the component's source root */
  path: string;
  kind: EntryKind;
  /** inode change time: moves on chmod, chown, ACL and xattr changes, which mtime does not see */
  ctimeMs: number;
  nlink: number;
  /** directories: Date.now() after this lstat and before the directory was listed */
  listedAt?: number;
}

/**
 * Entries handed over at once. `leafOf` (asked for with ScanOptions.leafDirs): no entries, but
 * the path of a directory that holds no directory (a maildir's cur/, new/, tmp/), which the
 * consumer lists and links as a whole on an fs worker (dir-link.ts).
 */
export type ScanBatch = ScanEntry[] & { leafOf?: string };

export interface ScanOptions {
  pool: FsPool;
  /** -R form: only these paths (relative to the root) and the directories leading to them */
  entries?: string[];
  exclude?: ExcludeMatcher;
  signal?: AbortSignal;
  /** hand directories that hold no directory over as `leafOf` batches (not with exclude patterns) */
  leafDirs?: boolean;
  /** called for each name that was gone when it was read */
  onGone?: (path: string) => void;
}

/** One directory, sorted and filtered; `whole` per subdirectory to descend into. */
interface Built {
  entries: ScanEntry[];
  descend: Map<string, boolean>;
  leaf?: boolean;
}

interface DirState {
  whole: boolean;
  requestedAt?: number;
  result?: Promise<Built | undefined>;
}

const MAX_IN_FLIGHT = 8;
const MAX_BUFFERED = 50_000;
/** entries handed to the consumer at once, unless a directory ends the batch earlier */
const BATCH = 512;

/** A name of a listing, as sortDirEntries sorts it (a class: no closure per name). */
class Listed {
  constructor(readonly name: string, readonly i: number, readonly kind: (typeof KIND)[number]) {}
  isDirectory(): boolean {
    return this.kind === 'dir';
  }
}

/** The entry at offset `k` of a listing's lstat numbers (fs-pool.ts: LISTING_STRIDE per name). */
export function scanEntryOf(path: string, s: ArrayLike<number>, k: number): ScanEntry {
  return { path, kind: KIND[s[k]] as EntryKind, ino: s[k + 1], size: s[k + 2], mtimeMs: s[k + 3], ctimeMs: s[k + 4], mode: s[k + 5], uid: s[k + 6], gid: s[k + 7], nlink: s[k + 8] };
}

function build(rel: string, whole: boolean, listing: Listing, opts: ScanOptions): Built {
  if (listing.leaf) return { entries: [], descend: new Map(), leaf: true };
  const items = listing.names.map((name, i) => new Listed(name, i, KIND[listing.stats[i * LISTING_STRIDE]]));
  const out: Built = { entries: [], descend: new Map() };
  for (const it of sortDirEntries(items)) {
    const path = rel ? `${rel}/${it.name}` : it.name;
    if (it.kind === 'gone') {
      opts.onGone?.(path);
      continue;
    }
    let childWhole = whole;
    if (!whole) {
      const cover = entryCoverage(path, opts.entries!);
      if (cover === 'remove') continue;
      childWhole = cover === 'keep';
    }
    const isDir = it.kind === 'dir';
    // implied directories of the -R form are never excluded by the patterns of what is in them
    if (childWhole && opts.exclude && !opts.exclude.empty && opts.exclude.excludes(path, isDir)) continue;
    out.entries.push(scanEntryOf(path, listing.stats, it.i * LISTING_STRIDE));
    if (isDir) out.descend.set(path, childWhole);
  }
  return out;
}

export async function* scanSource(root: string, opts: ScanOptions): AsyncGenerator<ScanBatch> {
  const base = root.endsWith('/') ? root : root + '/';
  const dirs = new Map<string, DirState>();
  const queue: string[] = [];
  let inFlight = 0;
  let buffered = 0;

  const request = (rel: string, st: DirState) => {
    inFlight++;
    st.requestedAt = Date.now();
    const leafOk = !!opts.leafDirs && rel !== '' && st.whole && (!opts.exclude || opts.exclude.empty);
    st.result = opts.pool.list(rel ? base + rel : root, leafOk).then((listing) => {
      inFlight--;
      if (!listing) {
        opts.onGone?.(rel);
        return undefined;
      }
      const b = build(rel, st.whole, listing, opts);
      buffered += b.entries.length;
      for (const [child, whole] of b.descend) {
        dirs.set(child, { whole });
        queue.push(child);
      }
      pump();
      return b;
    }, (err: unknown) => {
      inFlight--;
      throw err;
    });
    st.result.catch(() => {}); // awaited by take(); never unhandled meanwhile
  };
  const pump = () => {
    while (inFlight < MAX_IN_FLIGHT && buffered < MAX_BUFFERED && queue.length > 0) {
      const rel = queue.shift()!;
      const st = dirs.get(rel);
      if (st && !st.result) request(rel, st);
    }
  };
  /** the time a directory's listing was asked for (asking now if the read-ahead has not yet) */
  const ensure = (rel: string, whole: boolean): number => {
    let st = dirs.get(rel);
    if (!st) dirs.set(rel, (st = { whole }));
    if (!st.result) request(rel, st);
    return st.requestedAt!;
  };
  const take = async (rel: string): Promise<Built | undefined> => {
    const st = dirs.get(rel)!;
    const b = await st.result!;
    dirs.delete(rel);
    if (b) buffered -= b.entries.length;
    pump();
    return b;
  };

  ensure('', !opts.entries);
  const first = await take('');
  const frames: { b: Built; i: number }[] = first ? [{ b: first, i: 0 }] : [];
  let batch: ScanEntry[] = [];
  while (frames.length > 0) {
    const top = frames[frames.length - 1];
    if (top.i >= top.b.entries.length) {
      frames.pop();
      continue;
    }
    const e = top.b.entries[top.i++];
    batch.push(e);
    const whole = e.kind === 'dir' ? top.b.descend.get(e.path) : undefined;
    if (whole === undefined) {
      if (batch.length >= BATCH) {
        if (opts.signal?.aborted) throw new InterruptedError();
        yield batch;
        batch = [];
      }
      continue;
    }
    // the consumer makes this directory before anything inside it is linked
    e.listedAt = ensure(e.path, whole);
    yield batch;
    batch = [];
    if (opts.signal?.aborted) throw new InterruptedError();
    const child = await take(e.path);
    if (child?.leaf) yield Object.assign([] as ScanEntry[], { leafOf: e.path });
    else if (child) frames.push({ b: child, i: 0 });
  }
  if (batch.length > 0) yield batch;
}
