/**
 * The fs pool's threads (fs-pool.ts) and their two queues: listings the scan waits for go first
 * (urgent), link jobs after; each thread holds at most DEPTH jobs. Started at the first job: a
 * run that never scans or links starts no thread. What the threads run: fs-worker.ts.
 */
import { Worker } from 'node:worker_threads';
import type { DirLinkResult } from '../link/dir-link.js';
import { workerCode } from './fs-worker.js';

export interface Reply {
  id: number;
  out?: Float64Array;
  names?: string;
  gone?: boolean;
  leaf?: boolean;
  dir?: DirLinkResult;
  error?: string;
  code?: string;
}

interface Pending {
  resolve: (msg: Reply) => void;
  reject: (err: Error) => void;
  slot?: Slot;
}

interface Slot {
  worker: Worker;
  busy: number;
  dead?: boolean;
}

interface Queued extends Pending {
  job: Record<string, unknown>;
}

/**
 * Jobs posted to a worker at once (4 measured best on the 100k tree: 2 left threads idle between
 * jobs, more delayed the listings): few, so that a listing the scan waits for (urgent) is not
 * queued inside a worker behind a stack of link jobs, which only need to finish in order.
 */
const DEPTH = 4;

export class FsThreads {
  private readonly pending = new Map<number, Pending>();
  private readonly urgent: Queued[] = [];
  private readonly normal: Queued[] = [];
  private readonly slots: Slot[] = [];
  private nextId = 0;

  constructor(private readonly threads: number) {}

  submit(job: Record<string, unknown>, isUrgent = false): Promise<Reply> {
    if (this.slots.length === 0) this.start();
    return new Promise<Reply>((resolve, reject) => {
      (isUrgent ? this.urgent : this.normal).push({ job, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    const closed = new Error('file system pool closed');
    for (const p of [...this.pending.values(), ...this.urgent.splice(0), ...this.normal.splice(0)]) p.reject(closed);
    this.pending.clear();
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private start(): void {
    const code = workerCode();
    for (let i = 0; i < this.threads; i++) {
      const slot: Slot = { worker: new Worker(code, { eval: true }), busy: 0 };
      slot.worker.on('message', (msg: Reply) => this.settle(slot, msg));
      slot.worker.on('error', (err) => this.fail(slot, err));
      slot.worker.unref(); // an idle pool never keeps the process alive
      this.slots.push(slot);
    }
  }

  private settle(slot: Slot, msg: Reply): void {
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (--slot.busy === 0) slot.worker.unref();
    if (msg.error === undefined) p.resolve(msg);
    else p.reject(Object.assign(new Error(msg.error), { code: msg.code }));
    this.dispatch();
  }

  private fail(slot: Slot, err: Error): void {
    slot.dead = true;
    const failed = new Error(`file system worker failed: ${err.message}`);
    for (const [id, p] of this.pending) {
      if (p.slot !== slot) continue;
      this.pending.delete(id);
      p.reject(failed);
    }
    if (this.slots.every((s) => s.dead)) for (const q of [...this.urgent.splice(0), ...this.normal.splice(0)]) q.reject(failed);
  }

  private dispatch(): void {
    for (;;) {
      const queue = this.urgent.length > 0 ? this.urgent : this.normal;
      if (queue.length === 0) return;
      let slot: Slot | undefined;
      for (const s of this.slots) if (!s.dead && s.busy < DEPTH && (!slot || s.busy < slot.busy)) slot = s;
      if (!slot) return;
      const q = queue.shift()!;
      const id = this.nextId++;
      slot.busy++;
      slot.worker.ref();
      this.pending.set(id, { resolve: q.resolve, reject: q.reject, slot });
      slot.worker.postMessage({ ...q.job, id });
    }
  }
}
