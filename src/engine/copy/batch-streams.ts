/**
 * The copier's rsyncs in flight (copy.ts): up to `streams` at once, the batch before them being
 * hashed, and the batches' entries emitted in plan order whatever order the rsyncs end in. A
 * failed batch stops new ones; the caller waits for those still running (settled) before it
 * cleans up or reports.
 */
import type { IndexEntry } from '../../repository/manifest-format.js';

/**
 * Up to `streams` rsyncs at once, with the batch before them being hashed, and the batches'
 * entries emitted in plan order. Holding `streams + 1` batches bounds the memory.
 */
export class BatchStreams {
  private copying = 0;
  private unemitted = 0;
  private emitted: Promise<void> = Promise.resolve();
  /** the first batch's failure (rsync and hash errors are Errors) */
  private failure: Error | undefined;
  private readonly all: Promise<unknown>[] = [];
  private wake: (() => void) | undefined;

  constructor(private readonly streams: number) {}

  /** resolves when another batch may start (throws once one has failed) */
  async slot(): Promise<void> {
    while (this.failure === undefined && (this.copying >= this.streams || this.unemitted > this.streams)) {
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    if (this.failure !== undefined) throw this.failure;
  }

  add(copied: Promise<(emit: (e: IndexEntry) => void) => Promise<void>>, emit: (e: IndexEntry) => void): void {
    this.copying++;
    this.unemitted++;
    const before = this.emitted;
    const copiedDone = copied.finally(() => this.changed(() => this.copying--));
    this.emitted = (async () => {
      const finish = await copiedDone;
      await before;
      await finish(emit);
    })().finally(() => this.changed(() => this.unemitted--));
    this.emitted.catch((err: unknown) => this.changed(() => (this.failure ??= err as Error)));
    this.all.push(this.emitted.catch(() => {}));
  }

  /** every batch emitted; the first failure, in plan order */
  done(): Promise<void> {
    return this.emitted;
  }

  async settled(): Promise<void> {
    await Promise.all(this.all);
  }

  private changed(update: () => void): void {
    update();
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}
