/**
 * Hashing while rsync runs (docs/benchmarks.md: a first full backup paid rsync, then a serial
 * hashing pass in writeManifest). Every file rsync reports as received (`>f`) is hashed on a worker
 * pool as the transfer goes on; writeManifest then takes such a hash instead of reading the file
 * again, but ONLY when the file's (ino, size, mtimeMs) at manifest time equal what was fstat'ed on
 * the very descriptor that was hashed, right after reading it. So a hash is never used for:
 *  - a file read while still being written: rsync sets the final mtime after writing;
 *  - an old inode read before rsync renamed the new one into place: another ino;
 *  - a file replaced or rewritten later (second rsync pass, retry): another ino or mtime.
 * A missed pre-hash costs only the hashing writeManifest would have done anyway.
 *
 * Memory is bounded: at most `cap` finished entries (a first full backup of 1,000,000 files simply
 * stops pre-hashing there; an incremental run pre-hashes its few thousand new files), at most
 * `maxInFlight` jobs on the pool and `maxQueued` names waiting. When rsync is faster than the
 * hashing, names beyond that are dropped rather than slowing rsync down.
 */
import { availableParallelism } from 'node:os';
import { createHashPool, type HashedFile, type HashPool } from './hash.js';
import type { PrehashSource } from './index.js';

const RETRY_MS = 50;

interface Done {
  ino: number;
  size: number;
  mtimeMs: number;
  hex: string;
}

export interface PrehashStats {
  /** names offered (files rsync received) */
  offered: number;
  /** not hashed: over the cap, or the queue was full */
  dropped: number;
  /** hash attempt failed, e.g. still ENOENT after the retry, or the file vanished */
  failed: number;
  /** taken by writeManifest / looked up but stale (file changed since it was hashed) */
  used: number;
  stale: number;
}

export interface PrehashOptions {
  cap?: number;
  maxInFlight?: number;
  maxQueued?: number;
  threads?: number;
}

export class Prehasher implements PrehashSource {
  readonly stats: PrehashStats = { offered: 0, dropped: 0, failed: 0, used: 0, stale: 0 };
  private readonly done = new Map<string, Done>();
  // FIFO of snapshot-relative paths; `head` avoids Array.shift's O(n) per item
  private queue: string[] = [];
  private head = 0;
  private inFlight = 0;
  private pool?: HashPool;
  private closed = false;
  private idle: (() => void)[] = [];
  private readonly cap: number;
  private readonly maxInFlight: number;
  private readonly maxQueued: number;
  private readonly threads: number;

  /** `root`: the snapshot (.partial) directory; paths offered and looked up are relative to it. */
  constructor(private readonly root: string, opts: PrehashOptions = {}) {
    // Measured: 200,000 entries with mail-like paths take ~58 MB of heap, and the 1,000,000-file
    // scale run already peaked at 270 MB of the 300 MB ceiling (docs/benchmarks.md). 50,000 (~15 MB)
    // still covers every new file of an incremental run; a huge first full backup hashes the rest later.
    this.cap = opts.cap ?? 50_000;
    this.maxInFlight = opts.maxInFlight ?? 256;
    // absorbs rsync's bursts of small files (~0.5 MB of names); a longer queue only made the
    // main thread (which also reads rsync's output) busier: 16,384 measured no better than 4,096
    this.maxQueued = opts.maxQueued ?? 4096;
    // rsync's sender and receiver each keep a core busy; hashing on those too slowed rsync by
    // more than it saved (measured on 2 cores: 1 thread 1.9-2.1 s per small full backup, 2: 2.3-2.7 s)
    this.threads = opts.threads ?? Math.max(1, availableParallelism() - 2);
  }

  /** A file rsync reported as received, by its path relative to the snapshot root. */
  offer(rel: string): void {
    this.stats.offered++;
    const queued = this.queue.length - this.head;
    if (this.closed || this.done.size + this.inFlight + queued >= this.cap || queued >= this.maxQueued) {
      this.stats.dropped++;
      return;
    }
    this.queue.push(rel);
    this.pump();
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.head < this.queue.length) {
      const rel = this.queue[this.head++];
      this.inFlight++;
      this.pool ??= createHashPool({ threads: this.threads });
      this.hashSoon(`${this.root}/${rel}`).then(
        (h) => {
          // a later offer of the same path (second pass) simply overwrites: the stat check decides
          if (!this.closed) this.done.set(rel, { ino: h.ino, size: h.size, mtimeMs: h.mtimeMs, hex: h.hex });
        },
        () => this.stats.failed++,
      ).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    }
    if (this.inFlight === 0) for (const w of this.idle.splice(0)) w();
  }

  /**
   * rsync reports a file a moment before it renames it into place (measured: ~15 % of a first
   * full backup's names were not there yet): one retry after a short pause, still counted in flight.
   */
  private async hashSoon(abs: string): Promise<HashedFile> {
    try {
      return await this.pool!.hashFileStat(abs);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || this.closed) throw err;
      await new Promise((r) => setTimeout(r, RETRY_MS));
      return this.pool!.hashFileStat(abs);
    }
  }

  /** Resolves when nothing is queued or in flight (finished hashes stay available). */
  drain(): Promise<void> {
    if (this.inFlight === 0 && this.head === this.queue.length) return Promise.resolve();
    return new Promise((r) => this.idle.push(r));
  }

  /**
   * The pre-computed hash of `rel` if the file now described by `st` is exactly the inode that was
   * hashed and unchanged since (ino, size, mtimeMs); else undefined. Each path is taken once.
   */
  take(rel: string, st: { ino: number; size: number; mtimeMs: number }): string | undefined {
    const d = this.done.get(rel);
    if (!d) return undefined;
    this.done.delete(rel);
    if (d.ino === st.ino && d.size === st.size && d.mtimeMs === st.mtimeMs) {
      this.stats.used++;
      return d.hex;
    }
    this.stats.stale++;
    return undefined;
  }

  /** Stops pre-hashing and frees the workers; waits for jobs in flight first. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.queue = [];
    this.head = 0;
    await this.drain();
    this.closed = true;
    await this.pool?.close();
  }

  /** Forgets every finished hash (after writeManifest, or when the run is abandoned). */
  clear(): void {
    this.done.clear();
  }
}
