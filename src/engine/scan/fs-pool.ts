/**
 * The scan's system calls on every core: directory listings with an lstat of each name, and
 * hardlinks. An incremental backup of a mail store is mostly lstat() and link(): measured on the
 * 100k-message benchmark tree, they were 1.9 s of a 2.3 s scan on one thread. Worker threads
 * take them a directory or a batch of a few hundred links at a time (a message round trip per
 * call would cost more than the call) and report numbers; the caller decides what they mean.
 * What the workers run: fs-worker.ts.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { FileStat } from '../../repository/manifest-format.js';
import type { DirLinkJob, DirLinkResult } from '../link/dir-link.js';
import { workerCode } from './fs-worker.js';

/** What a link became: its inode as lstat saw it, or undefined when the name must be copied. */
export interface LinkedInode extends FileStat {
  /** a link to something that is no longer a regular file: the caller removes it */
  notAFile: boolean;
}

/** Links fromBase + from[i] to toBase + to[i] (bases end in `/`; names hold no NUL). */
export interface LinkBatch {
  fromBase: string;
  toBase: string;
  from: string[];
  to: string[];
}

/** A directory's names in readdir order, and per name the 9 lstat numbers of WORKER_CODE. */
export interface Listing {
  names: string[];
  stats: Float64Array;
  /** asked with leafOk and the directory holds no directory: no names, it is linked whole (dir-link.ts) */
  leaf?: boolean;
}

export const LISTING_STRIDE = 9;
export const KIND = ['gone', 'file', 'dir', 'symlink', 'other'] as const;

export interface FsPool {
  /** the names of `dir` with their lstat, or undefined when `dir` is gone; `leafOk`: see Listing.leaf */
  list(dir: string, leafOk?: boolean): Promise<Listing | undefined>;
  /** makes each link of the batch; resolves in the same order once all are done */
  link(batch: LinkBatch): Promise<(LinkedInode | undefined)[]>;
  /** links the unchanged files of one leaf directory (dir-link.ts) */
  linkDir(job: DirLinkJob): Promise<DirLinkResult>;
  close(): Promise<void>;
}

interface Reply {
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

export function createFsPool(opts: { threads?: number } = {}): FsPool {
  const threads = Math.max(1, opts.threads ?? availableParallelism());
  const pending = new Map<number, Pending>();
  const urgent: Queued[] = [];
  const normal: Queued[] = [];
  let nextId = 0;
  const slots: Slot[] = [];
  // started at the first call: a run that never scans or links starts no thread
  const start = () => {
    const code = workerCode();
    for (let i = 0; i < threads; i++) {
      const slot: Slot = { worker: new Worker(code, { eval: true }), busy: 0 };
      slot.worker.on('message', (msg: Reply) => {
        const p = pending.get(msg.id);
        if (!p) return;
        pending.delete(msg.id);
        if (--slot.busy === 0) slot.worker.unref();
        if (msg.error === undefined) p.resolve(msg);
        else p.reject(Object.assign(new Error(msg.error), { code: msg.code }));
        dispatch();
      });
      slot.worker.on('error', (err) => {
        slot.dead = true;
        const failed = new Error(`file system worker failed: ${err.message}`);
        for (const [id, p] of pending) {
          if (p.slot !== slot) continue;
          pending.delete(id);
          p.reject(failed);
        }
        if (slots.every((s) => s.dead)) for (const q of [...urgent.splice(0), ...normal.splice(0)]) q.reject(failed);
      });
      slot.worker.unref(); // an idle pool never keeps the process alive
      slots.push(slot);
    }
  };

  const dispatch = () => {
    for (;;) {
      const queue = urgent.length > 0 ? urgent : normal;
      if (queue.length === 0) return;
      let slot: Slot | undefined;
      for (const s of slots) if (!s.dead && s.busy < DEPTH && (!slot || s.busy < slot.busy)) slot = s;
      if (!slot) return;
      const q = queue.shift()!;
      const id = nextId++;
      slot.busy++;
      slot.worker.ref();
      pending.set(id, { resolve: q.resolve, reject: q.reject, slot });
      slot.worker.postMessage({ ...q.job, id });
    }
  };

  const submit = (job: Record<string, unknown>, isUrgent = false): Promise<Reply> => {
    if (slots.length === 0) start();
    return new Promise<Reply>((resolve, reject) => {
      (isUrgent ? urgent : normal).push({ job, resolve, reject });
      dispatch();
    });
  };

  const decodeLinks = (out: Float64Array): (LinkedInode | undefined)[] => {
    const r: (LinkedInode | undefined)[] = [];
    for (let k = 0; k < out.length; k += 7) {
      r.push(out[k] === 0 ? undefined : { notAFile: out[k] === 2, ino: out[k + 1], size: out[k + 2], mtimeMs: out[k + 3], mode: out[k + 4], uid: out[k + 5], gid: out[k + 6] });
    }
    return r;
  };

  return {
    async list(dir, leafOk) {
      const r = await submit({ type: 'list', dir, leafOk }, true);
      if (r.gone) return undefined;
      if (r.leaf) return { names: [], stats: new Float64Array(0), leaf: true };
      return { names: r.names ? r.names.split('\0') : [], stats: r.out! };
    },
    async link(batch) {
      if (batch.from.length === 0) return [];
      const from = batch.from.join('\0');
      const to = batch.to.every((t, i) => t === batch.from[i]) ? undefined : batch.to.join('\0');
      const r = await submit({ type: 'link', fromBase: batch.fromBase, toBase: batch.toBase, from, to });
      return decodeLinks(r.out!);
    },
    async linkDir(job) {
      const r = await submit({ type: 'linkdir', ...job });
      return r.dir!;
    },
    async close() {
      const closed = new Error('file system pool closed');
      for (const p of [...pending.values(), ...urgent.splice(0), ...normal.splice(0)]) p.reject(closed);
      pending.clear();
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
