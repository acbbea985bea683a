/**
 * Files grouped into batches for the verify worker pool (batch-pool.ts), with at most a few
 * batches in flight: the workers stay busy while memory stays bounded however large the snapshot.
 * A batch that fails rejects the next push/flush and idle(), so the caller's try/finally sees it.
 */
export class BatchQueue<T> {
  private batch: T[] = [];
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    private readonly process: (batch: T[]) => Promise<void>,
    private readonly size = 64,
    private readonly maxInFlight = 6,
  ) {}

  /** a promise only when the batch was sent (to wait on while the most are in flight) */
  push(item: T): Promise<void> | undefined {
    this.batch.push(item);
    return this.batch.length >= this.size ? this.flush() : undefined;
  }

  /** Sends the batch being filled; waits while the most batches are in flight. */
  async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const task = this.process(this.batch);
    this.batch = [];
    this.inflight.add(task);
    void task.finally(() => this.inflight.delete(task)).catch(() => undefined);
    if (this.inflight.size >= this.maxInFlight) await Promise.race(this.inflight);
  }

  /** Every batch sent so far, done. */
  idle(): Promise<unknown> {
    return Promise.all(this.inflight);
  }
}
