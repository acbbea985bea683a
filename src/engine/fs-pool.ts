/**
 * The scan's system calls on every core: directory listings with an lstat of each name, and
 * hardlinks. An incremental backup of a mail store is mostly lstat() and link(): measured on the
 * 100k-message benchmark tree, they were 1.9 s of a 2.3 s scan on one thread. Worker threads
 * take them a directory or a batch of a few hundred links at a time (a message round trip per
 * call would cost more than the call) and report numbers; the caller decides what they mean.
 *
 * Workers come from inline code (`eval: true`) for the same reason as the hash pool's: the CLI
 * ships as one bundled file.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { FileStat } from './manifest-format.js';

// list: the names of a directory and, per name, 9 numbers of its lstat: kind (0 gone, 1 file,
// 2 dir, 3 symlink, 4 other), ino, size, mtimeMs, ctimeMs, mode, uid, gid, nlink. A directory that
// is gone (renamed or deleted meanwhile) answers gone: true.
// link: two directory prefixes and the names under each, NUL-joined (one string clones far
// cheaper than hundreds); the second list left out when it is the first (the common case).
// For each [from, to]: link, then lstat the new name (served from the inode cache). Per link
// 7 numbers: ok (1) or not (0), ino, size, mtimeMs, mode, uid, gid. ENOENT/ENOTDIR/EMLINK mean
// "take it from the source instead"; any other error fails the batch.
const WORKER_CODE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const SOFT = new Set(['ENOENT', 'ENOTDIR', 'EMLINK']);
function list(job) {
  let names;
  try {
    names = fs.readdirSync(job.dir);
  } catch (err) {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return parentPort.postMessage({ id: job.id, gone: true });
    throw err;
  }
  const out = new Float64Array(names.length * 9);
  for (let i = 0, k = 0; i < names.length; i++, k += 9) {
    let st;
    try {
      st = fs.lstatSync(job.dir + '/' + names[i]);
    } catch (err) {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') continue;
      throw err;
    }
    out[k] = st.isFile() ? 1 : st.isDirectory() ? 2 : st.isSymbolicLink() ? 3 : 4;
    out[k + 1] = st.ino; out[k + 2] = st.size; out[k + 3] = st.mtimeMs; out[k + 4] = st.ctimeMs;
    out[k + 5] = st.mode; out[k + 6] = st.uid; out[k + 7] = st.gid; out[k + 8] = st.nlink;
  }
  parentPort.postMessage({ id: job.id, names: names.join('\0'), out }, [out.buffer]);
}
function link(job) {
  const from = job.from.split('\0'), to = job.to === undefined ? from : job.to.split('\0');
  const out = new Float64Array(from.length * 7);
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
}
parentPort.on('message', (job) => {
  try {
    if (job.type === 'list') list(job);
    else link(job);
  } catch (err) {
    parentPort.postMessage({ id: job.id, error: String(err && err.message || err), code: err && err.code });
  }
});
`;

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
}

export const LISTING_STRIDE = 9;
export const KIND = ['gone', 'file', 'dir', 'symlink', 'other'] as const;

export interface FsPool {
  /** the names of `dir` with their lstat, or undefined when `dir` is gone */
  list(dir: string): Promise<Listing | undefined>;
  /** makes each link of the batch; resolves in the same order once all are done */
  link(batch: LinkBatch): Promise<(LinkedInode | undefined)[]>;
  close(): Promise<void>;
}

interface Reply {
  id: number;
  out?: Float64Array;
  names?: string;
  gone?: boolean;
  error?: string;
  code?: string;
}

interface Pending {
  resolve: (msg: Reply) => void;
  reject: (err: Error) => void;
  slot: Slot;
}

interface Slot {
  worker: Worker;
  busy: number;
}

export function createFsPool(opts: { threads?: number } = {}): FsPool {
  const threads = Math.max(1, opts.threads ?? availableParallelism());
  const pending = new Map<number, Pending>();
  let nextId = 0;
  const slots: Slot[] = [];
  // started at the first call: a run that never scans or links starts no thread
  const start = () => {
    for (let i = 0; i < threads; i++) {
      const slot: Slot = { worker: new Worker(WORKER_CODE, { eval: true }), busy: 0 };
      slot.worker.on('message', (msg: Reply) => {
        const p = pending.get(msg.id);
        if (!p) return;
        pending.delete(msg.id);
        if (--slot.busy === 0) slot.worker.unref();
        if (msg.error === undefined) p.resolve(msg);
        else p.reject(Object.assign(new Error(msg.error), { code: msg.code }));
      });
      slot.worker.on('error', (err) => {
        for (const [id, p] of pending) {
          if (p.slot !== slot) continue;
          pending.delete(id);
          p.reject(new Error(`file system worker failed: ${err.message}`));
        }
      });
      slot.worker.unref(); // an idle pool never keeps the process alive
      slots.push(slot);
    }
  };

  const submit = (job: Record<string, unknown>): Promise<Reply> => {
    if (slots.length === 0) start();
    const slot = slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = nextId++;
    slot.busy++;
    slot.worker.ref();
    return new Promise<Reply>((resolve, reject) => {
      pending.set(id, { resolve, reject, slot });
      slot.worker.postMessage({ ...job, id });
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
    async list(dir) {
      const r = await submit({ type: 'list', dir });
      if (r.gone) return undefined;
      return { names: r.names ? r.names.split('\0') : [], stats: r.out! };
    },
    async link(batch) {
      if (batch.from.length === 0) return [];
      const from = batch.from.join('\0');
      const to = batch.to.every((t, i) => t === batch.from[i]) ? undefined : batch.to.join('\0');
      const r = await submit({ type: 'link', fromBase: batch.fromBase, toBase: batch.toBase, from, to });
      return decodeLinks(r.out!);
    },
    async close() {
      for (const p of pending.values()) p.reject(new Error('file system pool closed'));
      pending.clear();
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
