/**
 * The scan's hardlinks, handed to the file system pool (fs-pool.ts) in batches.
 */
import { availableParallelism } from 'node:os';
import type { FsPool, LinkedInode } from './fs-pool.js';

/**
 * Feeds the pool's link() in batches while the caller keeps scanning, and hands back each result in
 * the order the links were added (the caller writes index lines in byte order). At most a few
 * batches are in flight: memory follows the batch size, not the tree.
 */
export class LinkQueue<T> {
  private batch: { from: string[]; to: string[]; items: T[] } = { from: [], to: [], items: [] };
  private readonly inFlight: { items: T[]; done: Promise<(LinkedInode | undefined)[]> }[] = [];

  constructor(
    private readonly pool: FsPool,
    /** directories (ending in `/`) the names given to add() are relative to */
    private readonly bases: { fromBase: string; toBase: string },
    private readonly onDone: (item: T, inode: LinkedInode | undefined) => void,
    private readonly batchSize = 256,
    private readonly maxInFlight = 2 * availableParallelism() + 1,
  ) {}

  /** a promise only when the caller must wait (too many batches in flight): `if (w) await w` */
  add(from: string, to: string, item: T): Promise<void> | undefined {
    this.batch.from.push(from);
    this.batch.to.push(to);
    this.batch.items.push(item);
    if (this.batch.items.length < this.batchSize) return undefined;
    this.send();
    return this.inFlight.length > this.maxInFlight ? this.settleOldest() : undefined;
  }

  async drain(): Promise<void> {
    this.send();
    while (this.inFlight.length > 0) await this.settleOldest();
  }

  private send(): void {
    if (this.batch.items.length === 0) return;
    const done = this.pool.link({ ...this.bases, from: this.batch.from, to: this.batch.to });
    done.catch(() => {}); // awaited in order by settleOldest; never unhandled meanwhile
    this.inFlight.push({ items: this.batch.items, done });
    this.batch = { from: [], to: [], items: [] };
  }

  private async settleOldest(): Promise<void> {
    const head = this.inFlight.shift()!;
    const inodes = await head.done;
    head.items.forEach((item, i) => this.onDone(item, inodes[i]));
  }
}
