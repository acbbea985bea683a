/**
 * Worker threads for verify that take files in batches: stat (with the inode of the same path
 * in the previous snapshot), then hash what still needs hashing. The engine's hash pool only
 * hashes; verify first asks in the same worker round whether a file is still the previous
 * snapshot's inode (checked there, so skipped here), which saves reading it at all.
 * Inline worker code (`eval: true`): the CLI ships as one bundled file.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { HASH_CHUNK, HASH_FD_SOURCE } from '../engine/hash/worker-code.js';

const WORKER_CODE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const buf = Buffer.allocUnsafe(${HASH_CHUNK});
${HASH_FD_SOURCE}
function hashFile(path, withStat) {
  const fd = fs.openSync(path, 'r');
  try {
    const { hex, s } = hashFd(fd, buf);
    if (!withStat) return { sha256: hex };
    // fstat of the fd read: the very inode hashed, and no second lookup of the path
    return { sha256: hex, inode: s.dev + ':' + s.ino, size: s.size, nlink: s.nlink };
  } finally {
    fs.closeSync(fd);
  }
}
function inodeOf(path) {
  try { const s = fs.lstatSync(path); return s.dev + ':' + s.ino; } catch { return undefined; }
}
parentPort.on('message', (job) => {
  const out = [];
  for (let i = 0; i < job.paths.length; i++) {
    try {
      if (job.type === 'stat') {
        const s = fs.lstatSync(job.paths[i]);
        const inode = s.dev + ':' + s.ino;
        const prev = job.prevPaths && job.prevPaths[i];
        out.push({ inode, size: s.size, nlink: s.nlink, sameAsPrev: prev ? inodeOf(prev) === inode : false });
      } else out.push(hashFile(job.paths[i], job.type === 'hashStat'));
    } catch (err) {
      out.push({ error: String((err && err.message) || err), code: err && err.code });
    }
  }
  parentPort.postMessage({ id: job.id, out });
});
`;

export interface StatResult {
  inode?: string;
  size?: number;
  nlink?: number;
  /** the same path in the previous snapshot is the same inode */
  sameAsPrev?: boolean;
  error?: string;
  code?: string;
}

export interface HashResult {
  sha256?: string;
  error?: string;
  code?: string;
}

export interface VerifyPool {
  stat(paths: string[], prevPaths?: (string | undefined)[]): Promise<StatResult[]>;
  hash(paths: string[]): Promise<HashResult[]>;
  /** hash, then fstat of what was read: one round when every file is to be hashed anyway */
  hashStat(paths: string[]): Promise<(HashResult & StatResult)[]>;
  close(): Promise<void>;
}

interface Slot {
  worker: Worker;
  busy: number;
  pending: Map<number, { resolve: (out: unknown[]) => void; reject: (e: Error) => void }>;
}

export function createVerifyPool(opts: { threads?: number } = {}): VerifyPool {
  const slots: Slot[] = [];
  let nextId = 0;
  for (let i = 0; i < Math.max(1, opts.threads ?? availableParallelism()); i++) {
    const slot: Slot = { worker: new Worker(WORKER_CODE, { eval: true }), busy: 0, pending: new Map() };
    slot.worker.on('message', (msg: { id: number; out: unknown[] }) => {
      const p = slot.pending.get(msg.id);
      slot.pending.delete(msg.id);
      slot.busy--;
      if (slot.busy === 0) slot.worker.unref();
      p?.resolve(msg.out);
    });
    slot.worker.on('error', (err) => {
      for (const p of slot.pending.values()) p.reject(new Error(`verify worker failed: ${err.message}`));
      slot.pending.clear();
    });
    slot.worker.unref(); // an idle pool never keeps the process alive
    slots.push(slot);
  }
  const send = <T>(type: 'stat' | 'hash' | 'hashStat', paths: string[], prevPaths?: (string | undefined)[]): Promise<T[]> => {
    if (paths.length === 0) return Promise.resolve([]);
    const slot = slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = nextId++;
    return new Promise<T[]>((resolve, reject) => {
      slot.pending.set(id, { resolve: resolve as (out: unknown[]) => void, reject });
      slot.busy++;
      slot.worker.ref();
      slot.worker.postMessage({ id, type, paths, prevPaths });
    });
  };
  return {
    stat: (paths, prevPaths) => send<StatResult>('stat', paths, prevPaths),
    hash: (paths) => send<HashResult>('hash', paths),
    hashStat: (paths) => send<HashResult & StatResult>('hashStat', paths),
    async close() {
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
