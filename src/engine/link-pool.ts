/**
 * Hardlinks made on every core while the scan goes on. An incremental backup of a mail store is
 * mostly link(): measured on the 100k-message benchmark tree, link() and the lstat that checks
 * it were 1.4 s of a 1.9 s scan on one thread. Worker threads take them in batches of a few
 * hundred (a message round trip per link would cost more than the link) and report, per link,
 * the linked inode's lstat or why it could not be made; the caller decides what that means.
 *
 * Workers come from inline code (`eval: true`) for the same reason as the hash pool's: the CLI
 * ships as one bundled file.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';

// job: two directory prefixes and the names under each, NUL-joined (one string clones far
// cheaper than hundreds). For each [from, to]: link, then lstat the new name (served from the inode cache). Per link
// 7 numbers: ok (1) or not (0), ino, size, mtimeMs, mode, uid, gid. ENOENT/ENOTDIR/EMLINK mean
// "take it from the source instead"; any other error fails the batch.
const WORKER_CODE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const SOFT = new Set(['ENOENT', 'ENOTDIR', 'EMLINK']);
parentPort.on('message', (job) => {
  const from = job.from.split('\0'), to = job.to.split('\0');
  const out = new Float64Array(from.length * 7);
  try {
    for (let i = 0, k = 0; i < from.length; i++, k += 7) {
      const dst = job.toBase + to[i];
      try {
        fs.linkSync(job.fromBase + from[i], dst);
      } catch (err) {
        if (SOFT.has(err.code)) continue;
        throw err;
      }
      const st = fs.lstatSync(dst);
      out[k] = st.isFile() ? 1 : 2;
      out[k + 1] = st.ino; out[k + 2] = st.size; out[k + 3] = st.mtimeMs;
      out[k + 4] = st.mode; out[k + 5] = st.uid; out[k + 6] = st.gid;
    }
    parentPort.postMessage({ id: job.id, out }, [out.buffer]);
  } catch (err) {
    parentPort.postMessage({ id: job.id, error: String(err && err.message || err), code: err && err.code });
  }
});
`;

/** What a link became: its inode as lstat saw it, or undefined when the name must be copied. */
export interface LinkedInode {
  /** a link to something that is no longer a regular file: the caller removes it */
  notAFile: boolean;
  ino: number;
  size: number;
  mtimeMs: number;
  mode: number;
  uid: number;
  gid: number;
}

/** Links fromBase + from[i] to toBase + to[i] (bases end in `/`; names hold no NUL). */
export interface LinkBatch {
  fromBase: string;
  toBase: string;
  from: string[];
  to: string[];
}

export interface LinkPool {
  /** makes each link of the batch; resolves in the same order once all are done */
  link(batch: LinkBatch): Promise<(LinkedInode | undefined)[]>;
  close(): Promise<void>;
}

interface Pending {
  resolve: (out: Float64Array) => void;
  reject: (err: Error) => void;
  slot: Slot;
}

interface Slot {
  worker: Worker;
  busy: number;
}

export function createLinkPool(opts: { threads?: number } = {}): LinkPool {
  const threads = Math.max(1, opts.threads ?? availableParallelism());
  const pending = new Map<number, Pending>();
  let nextId = 0;
  const slots: Slot[] = [];
  // started at the first link: a first full backup links nothing and starts no thread
  const start = () => {
  for (let i = 0; i < threads; i++) {
    const slot: Slot = { worker: new Worker(WORKER_CODE, { eval: true }), busy: 0 };
    slot.worker.on('message', (msg: { id: number; out?: Float64Array; error?: string; code?: string }) => {
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (--slot.busy === 0) slot.worker.unref();
      if (msg.out) p.resolve(msg.out);
      else p.reject(Object.assign(new Error(msg.error ?? 'link failed'), { code: msg.code }));
    });
    slot.worker.on('error', (err) => {
      for (const [id, p] of pending) {
        if (p.slot !== slot) continue;
        pending.delete(id);
        p.reject(new Error(`link worker failed: ${err.message}`));
      }
    });
    slot.worker.unref(); // an idle pool never keeps the process alive
    slots.push(slot);
  }
  };

  const decode = (out: Float64Array): (LinkedInode | undefined)[] => {
    const r: (LinkedInode | undefined)[] = [];
    for (let k = 0; k < out.length; k += 7) {
      r.push(out[k] === 0 ? undefined : { notAFile: out[k] === 2, ino: out[k + 1], size: out[k + 2], mtimeMs: out[k + 3], mode: out[k + 4], uid: out[k + 5], gid: out[k + 6] });
    }
    return r;
  };

  return {
    link(batch) {
      if (batch.from.length === 0) return Promise.resolve([]);
      if (slots.length === 0) start();
      const slot = slots.reduce((a, b) => (b.busy < a.busy ? b : a));
      const id = nextId++;
      slot.busy++;
      slot.worker.ref();
      return new Promise<Float64Array>((resolve, reject) => {
        pending.set(id, { resolve, reject, slot });
        slot.worker.postMessage({ id, fromBase: batch.fromBase, toBase: batch.toBase, from: batch.from.join('\0'), to: batch.to.join('\0') });
      }).then(decode);
    },
    async close() {
      for (const p of pending.values()) p.reject(new Error('link pool closed'));
      pending.clear();
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}

/**
 * Feeds a LinkPool in batches while the caller keeps scanning, and hands back each result in
 * the order the links were added (the caller writes index lines in byte order). At most a few
 * batches are in flight: memory follows the batch size, not the tree.
 */
export class LinkQueue<T> {
  private batch: { from: string[]; to: string[]; items: T[] } = { from: [], to: [], items: [] };
  private readonly inFlight: { items: T[]; done: Promise<(LinkedInode | undefined)[]> }[] = [];

  constructor(
    private readonly pool: LinkPool,
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
