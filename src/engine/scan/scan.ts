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
import { ReadAhead, type Built } from './read-ahead.js';
import type { ScanEntry, ScanOptions } from './scan-entry.js';

export type { EntryKind, ScanEntry, ScanOptions } from './scan-entry.js';
import { InterruptedError } from '../../errors.js';

/**
 * Entries handed over at once. `leafOf` (asked for with ScanOptions.leafDirs): no entries, but
 * the path of a directory that holds no directory (a maildir's cur/, new/, tmp/), which the
 * consumer lists and links as a whole on an fs worker (dir-link.ts).
 */
export type ScanBatch = ScanEntry[] & { leafOf?: string };

/** entries handed to the consumer at once, unless a directory ends the batch earlier */
const BATCH = 512;

export async function* scanSource(root: string, opts: ScanOptions): AsyncGenerator<ScanBatch> {
  const ahead = new ReadAhead(root, opts);
  ahead.ensure('', !opts.entries);
  const first = await ahead.take('');
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
    e.listedAt = ahead.ensure(e.path, whole);
    yield batch;
    batch = [];
    if (opts.signal?.aborted) throw new InterruptedError();
    const child = await ahead.take(e.path);
    if (child?.leaf) yield Object.assign([] as ScanEntry[], { leafOf: e.path });
    else if (child) frames.push({ b: child, i: 0 });
  }
  if (batch.length > 0) yield batch;
}
