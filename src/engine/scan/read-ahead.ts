/**
 * The scan's read-ahead: directories listed (with an lstat per name) on the fs pool's threads a
 * few ahead of the consumer, each sorted and filtered as it arrives. Bounded by MAX_IN_FLIGHT
 * listings and MAX_BUFFERED entries, so memory follows that, not the tree.
 */
import { sortDirEntries } from '../../repository/manifest-format.js';
import { entryCoverage } from './source.js';
import { KIND, LISTING_STRIDE, type Listing } from './fs-pool.js';
import { scanEntryOf, type ScanEntry, type ScanOptions } from './scan-entry.js';

/** One directory, sorted and filtered; `whole` per subdirectory to descend into. */
export interface Built {
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
/** A name of a listing, as sortDirEntries sorts it (a class: no closure per name). */
class Listed {
  constructor(readonly name: string, readonly i: number, readonly kind: (typeof KIND)[number]) {}
  isDirectory(): boolean {
    return this.kind === 'dir';
  }
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

export class ReadAhead {
  private readonly base: string;
  private readonly dirs = new Map<string, DirState>();
  private readonly queue: string[] = [];
  private inFlight = 0;
  private buffered = 0;

  constructor(private readonly root: string, private readonly opts: ScanOptions) {
    this.base = root.endsWith('/') ? root : root + '/';
  }

  /** the time a directory's listing was asked for (asking now if the read-ahead has not yet) */
  ensure(rel: string, whole: boolean): number {
    let st = this.dirs.get(rel);
    if (!st) this.dirs.set(rel, (st = { whole }));
    if (!st.result) this.request(rel, st);
    return st.requestedAt!;
  }

  /** the directory's listing, sorted and filtered; undefined when it was gone */
  async take(rel: string): Promise<Built | undefined> {
    const st = this.dirs.get(rel)!;
    const b = await st.result!;
    this.dirs.delete(rel);
    if (b) this.buffered -= b.entries.length;
    this.pump();
    return b;
  }

  private request(rel: string, st: DirState): void {
    const { opts } = this;
    this.inFlight++;
    st.requestedAt = Date.now();
    const leafOk = !!opts.leafDirs && rel !== '' && st.whole && (!opts.exclude || opts.exclude.empty);
    st.result = opts.pool.list(rel ? this.base + rel : this.root, leafOk).then((listing) => {
      this.inFlight--;
      if (!listing) {
        opts.onGone?.(rel);
        return undefined;
      }
      const b = build(rel, st.whole, listing, opts);
      this.buffered += b.entries.length;
      for (const [child, whole] of b.descend) {
        this.dirs.set(child, { whole });
        this.queue.push(child);
      }
      this.pump();
      return b;
    }, (err: unknown) => {
      this.inFlight--;
      throw err;
    });
    st.result.catch(() => {}); // awaited by take(); never unhandled meanwhile
  }

  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.buffered < MAX_BUFFERED && this.queue.length > 0) {
      const rel = this.queue.shift()!;
      const st = this.dirs.get(rel);
      if (st && !st.result) this.request(rel, st);
    }
  }
}
