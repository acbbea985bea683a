/**
 * The scan's hardlinks, handed to the file system pool (fs-pool.ts): single links in batches, and
 * whole leaf directories (dir-link.ts) as one job each.
 */
import { availableParallelism } from 'node:os';
import type { FsPool, LinkedInode } from '../scan/fs-pool.js';
import type { DirLinkJob, DirLinkResult } from './dir-link.js';

interface InFlight {
  done: Promise<unknown>;
  settle: (result: unknown) => void;
  /** names this job holds until it settles */
  weight: number;
}

/** names held by in-flight jobs before add()/addDir() make the caller wait (memory follows this) */
const MAX_WEIGHT = 16_384;

/**
 * Feeds the pool while the caller keeps scanning, and hands back each result in the order the
 * work was added: the caller writes index lines and the copy list in byte order. At most
 * maxInFlight jobs and MAX_WEIGHT names are in flight: memory follows that, not the tree. The
 * window is wide because results settle in order: one big folder must not leave the other
 * workers idle behind it (measured on the 100k-message tree: 5 jobs in flight cost 0.2 s).
 */
export class LinkQueue<T> {
  private batch: { from: string[]; to: string[]; items: T[] } = { from: [], to: [], items: [] };
  private readonly inFlight: InFlight[] = [];
  private weight = 0;
  /** directory jobs not yet settled: what later() has to wait behind */
  private dirs = 0;

  constructor(
    private readonly pool: FsPool,
    /** directories (ending in `/`) the names given to add() are relative to */
    private readonly bases: { fromBase: string; toBase: string },
    private readonly onDone: (item: T, inode: LinkedInode | undefined) => void,
    private readonly batchSize = 256,
    private readonly maxInFlight = 8 * availableParallelism(),
  ) {}

  /** a promise only when the caller must wait (too much in flight): `if (w) await w` */
  add(from: string, to: string, item: T): Promise<void> | undefined {
    this.batch.from.push(from);
    this.batch.to.push(to);
    this.batch.items.push(item);
    if (this.batch.items.length < this.batchSize) return undefined;
    this.send();
    return this.backpressure();
  }

  /** one leaf directory; `settle` runs in order with everything added before and after it */
  addDir(job: DirLinkJob, weight: number, settle: (r: DirLinkResult) => void): Promise<void> | undefined {
    this.send(); // the single links decided before this directory settle before it
    this.dirs++;
    this.push(this.pool.linkDir(job), weight, (r) => {
      this.dirs--;
      settle(r as DirLinkResult);
    });
    return this.backpressure();
  }

  /**
   * Runs `fn` once every directory job added so far has settled (now, when none is pending):
   * for what must stay in order with their results, such as the copy list.
   */
  later(fn: () => void): void {
    if (this.dirs === 0) fn();
    else this.push(Promise.resolve(), 0, fn);
  }

  async drain(): Promise<void> {
    this.send();
    while (this.inFlight.length > 0) await this.settleOldest();
  }

  private push(done: Promise<unknown>, weight: number, settle: (r: unknown) => void): void {
    done.catch(() => {}); // awaited in order by settleOldest; never unhandled meanwhile
    this.inFlight.push({ done, settle, weight });
    this.weight += weight;
  }

  private send(): void {
    if (this.batch.items.length === 0) return;
    const { items } = this.batch;
    const done = this.pool.link({ ...this.bases, from: this.batch.from, to: this.batch.to });
    this.push(done, items.length, (inodes) => items.forEach((item, i) => this.onDone(item, (inodes as (LinkedInode | undefined)[])[i])));
    this.batch = { from: [], to: [], items: [] };
  }

  private full(): boolean {
    return this.inFlight.length > this.maxInFlight || (this.weight > MAX_WEIGHT && this.inFlight.length > 1);
  }

  private backpressure(): Promise<void> | undefined {
    return this.full() ? this.settleWhileFull() : undefined;
  }

  private async settleWhileFull(): Promise<void> {
    while (this.full()) await this.settleOldest();
  }

  private async settleOldest(): Promise<void> {
    const head = this.inFlight.shift()!;
    const result = await head.done;
    this.weight -= head.weight;
    head.settle(result);
  }
}
