/**
 * The hash pool's threads and their queue: jobs of NUL-joined paths go to the least busy worker,
 * each worker keeps up to PIPELINE paths in flight and takes more from the queue as its results
 * come back. pool.ts turns replies into hashes.
 */
import { Worker } from 'node:worker_threads';
import { WORKER_CODE, type Reply } from './worker-code.js';

/** paths in flight per worker */
const PIPELINE = 256;
/** a worker with fewer paths in flight gets a single file at once */
const LOW_WATER = 8;

export interface Job {
  paths: string[];
  stat: boolean;
  heads?: boolean;
  /** a hash job that also keeps message files' header blocks from the same read */
  withHeads?: boolean;
  settle: (r: Reply) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  inFlight: Map<number, Job>;
  /** paths of the jobs in flight */
  load: number;
}

export class HashWorkers {
  private readonly slots: Slot[] = [];
  private readonly queue: (Job & { id: number })[] = [];
  private nextId = 0;

  constructor(threads: number) {
    for (let i = 0; i < threads; i++) {
      const slot: Slot = { worker: new Worker(WORKER_CODE, { eval: true }), inFlight: new Map(), load: 0 };
      slot.worker.on('message', (replies: Reply[]) => this.settle(slot, replies));
      slot.worker.on('error', (err) => this.failSlot(slot, err));
      // An idle pool must not keep the process alive (a forgotten close() is not a hang).
      slot.worker.unref();
      this.slots.push(slot);
    }
  }

  /** a worker short of work gets the job now; the others take the queue as their results come back */
  submit(job: Job): void {
    this.queue.push({ ...job, id: this.nextId++ });
    const slot = this.slots.reduce((best, s) => (s.load < best.load ? s : best));
    if (slot.load < LOW_WATER) this.pump(slot);
  }

  /** the queued jobs to every worker, not only the one that was short of work */
  pumpAll(): void {
    for (const s of this.slots) this.pump(s);
  }

  async close(): Promise<void> {
    for (const job of this.queue.splice(0)) job.reject(new Error('hash pool closed before hashing ' + job.paths[0]));
    for (const s of this.slots) this.failSlot(s, new Error('pool closed'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private settle(slot: Slot, replies: Reply[]): void {
    for (const r of replies) {
      const job = slot.inFlight.get(r.id);
      if (!job) continue;
      slot.inFlight.delete(r.id);
      slot.load -= job.paths.length;
      job.settle(r);
    }
    this.pump(slot);
  }

  private pump(slot: Slot): void {
    if (this.queue.length > 0 && slot.load < PIPELINE) {
      const jobs: (Job & { id: number })[] = [];
      while (this.queue.length > 0 && slot.load < PIPELINE) {
        const job = this.queue.shift()!;
        jobs.push(job);
        slot.inFlight.set(job.id, job);
        slot.load += job.paths.length;
      }
      slot.worker.postMessage(jobs.map((j) => ({ id: j.id, paths: j.paths.join('\0'), stat: j.stat, heads: j.heads, withHeads: j.withHeads })));
    }
    // Keep the process alive only while work is outstanding.
    if (slot.inFlight.size > 0) slot.worker.ref();
    else slot.worker.unref();
  }

  private failSlot(slot: Slot, err: Error): void {
    for (const job of slot.inFlight.values()) job.reject(new Error(`hash worker failed: ${err.message}`));
    slot.inFlight.clear();
    slot.load = 0;
  }
}
