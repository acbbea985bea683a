/**
 * SHA-256 of files, on every core. Node's crypto is OpenSSL (SHA-NI where the CPU has it): about
 * 3x faster per core than coreutils' sha256sum (docs/architecture.md), so manifest writing and `verify --full`
 * hash in-process instead of spawning sha256sum.
 *
 * The workers are created from inline code (`eval: true`) because the CLI ships as one bundled
 * file: there is no separate worker script on disk to point at.
 *
 * Mail is mostly small files, so message round trips matter more than raw hash speed: a worker
 * gets its paths NUL-joined in one string and answers with the hashes in one string and the stat
 * numbers in one Float64Array — one structured clone per message, not per file. A caller with
 * many files (a copied batch) hands them over at once (hashMany: chunks of MANY_CHUNK); single
 * files queue up and go together to a worker as its earlier results come back. One message per
 * file capped a first backup of small files at about 10,000 files/s and cost the main thread
 * 2 s of structured clones per 100,000 files.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { FileStat } from '../../repository/manifest-format.js';
import { isMissing } from '../../mailbox/walk.js';
import { HEADER_BLOCK_MAX, headerBlockEnd } from '../../mailbox/headers.js';

/** Read size: large enough that a big dump is a few hundred syscalls, small enough per worker. */
export const HASH_CHUNK = 1024 * 1024;
/** paths in flight per worker */
const PIPELINE = 256;
/** paths of one hashMany() message */
const MANY_CHUNK = 64;
/** a worker with fewer paths in flight gets a single file at once */
const LOW_WATER = 8;
const STAT_STRIDE = 6;

/**
 * The one loop that hashes an open file, as source text for the worker pools' eval'd code (this
 * pool and verify/batch-pool.ts). It fstats first and stops at a short read once the size is
 * reached: a regular file reads short only at its end, so the last read that would return 0 is
 * not made — one syscall per file, about a second of CPU per 100,000 small files on a VM where a
 * syscall costs ~10 µs. A file shorter than fstat said still ends at a read of 0, one longer at
 * its real end (a short read past the size), and a filesystem that reads short before the end
 * (FUSE) is read on. Returns the digest and the fstat of the very inode read.
 */
export const HASH_FD_SOURCE = `
function hashFd(fd, buf) {
  const s = fs.fstatSync(fd);
  const h = createHash('sha256');
  let total = 0;
  for (;;) {
    const n = fs.readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    h.update(n === buf.length ? buf : buf.subarray(0, n));
    total += n;
    if (n < buf.length && total >= s.size) break;
  }
  return { hex: h.digest('hex'), s };
}`;

// Runs inside each worker (CommonJS eval context). Sync reads are fine here: they block only
// this worker's thread, and avoid a promise per chunk for the many small mail files.
// A message is a list of jobs {id, paths (NUL-joined), stat}; the reply per job: hex (64 chars
// per path, 64 spaces where it failed), st (6 numbers per path when asked), errors [[i, code, message]].
const WORKER_CODE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const buf = Buffer.allocUnsafe(${HASH_CHUNK});
const FAILED = ' '.repeat(64);
${HASH_FD_SOURCE}
function hashOne(path, st, k) {
  const fd = fs.openSync(path, 'r');
  try {
    const { hex, s } = hashFd(fd, buf);
    // fstat of the fd read, not of the path: describes exactly the inode that was hashed
    if (st) { st[k] = s.ino; st[k + 1] = s.size; st[k + 2] = s.mtimeMs; st[k + 3] = s.mode; st[k + 4] = s.uid; st[k + 5] = s.gid; }
    return hex;
  } finally {
    try { fs.closeSync(fd); } catch {}
  }
}
const headerBlockEnd = ${headerBlockEnd.toString()};
// A header block: the first <= ${HEADER_BLOCK_MAX} bytes up to the blank line, as latin1 (bytes kept).
function headOne(path) {
  const fd = fs.openSync(path, 'r');
  try {
    const n = fs.readSync(fd, buf, 0, ${HEADER_BLOCK_MAX}, 0);
    return buf.latin1Slice(0, headerBlockEnd(buf, n));
  } finally {
    try { fs.closeSync(fd); } catch {}
  }
}
function heads(job) {
  const paths = job.paths.split('\\0');
  const out = [];
  const errors = [];
  for (let i = 0; i < paths.length; i++) {
    try {
      out.push(headOne(paths[i]));
    } catch (err) {
      out.push('');
      errors.push([i, err && err.code, String(err && err.message || err)]);
    }
  }
  return { id: job.id, hex: '', heads: out, errors };
}
function run(job) {
  if (job.heads) return heads(job);
  const paths = job.paths.split('\\0');
  const st = job.stat ? new Float64Array(paths.length * ${STAT_STRIDE}) : undefined;
  const hex = [];
  const errors = [];
  for (let i = 0; i < paths.length; i++) {
    try {
      hex.push(hashOne(paths[i], st, i * ${STAT_STRIDE}));
    } catch (err) {
      hex.push(FAILED);
      errors.push([i, err && err.code, String(err && err.message || err)]);
    }
  }
  return { id: job.id, hex: hex.join(''), st, errors };
}
parentPort.on('message', (jobs) => {
  const out = jobs.map(run);
  parentPort.postMessage(out, out.filter((r) => r.st).map((r) => r.st.buffer));
});
`;

export interface HashPool {
  /** hex sha256 of the file's content; rejects (with the fs error code kept) if it cannot be read */
  hashFile(path: string): Promise<string>;
  /** the same, plus the hashed inode's identity, fstat'ed through the descriptor it was read by */
  hashFileStat(path: string): Promise<HashedFile>;
  /**
   * Many files at once, results in the same order: undefined for a file that is not there
   * (ENOENT, ENOTDIR); any other error rejects the whole call.
   */
  hashMany(paths: string[]): Promise<(HashedFile | undefined)[]>;
  /**
   * The header blocks of message files (the first <= 64 KiB up to the blank line, bytes as
   * latin1), read on the pool's threads; '' for a file that is not there.
   */
  headMany(paths: string[]): Promise<string[]>;
  /** waits for nothing: pending hashes are rejected; call after awaiting your hashes */
  close(): Promise<void>;
}

export interface HashedFile extends FileStat {
  hex: string;
}

interface Reply {
  id: number;
  hex: string;
  heads?: string[];
  st?: Float64Array;
  errors: [number, string | undefined, string][];
}

interface Job {
  id: number;
  paths: string[];
  stat: boolean;
  heads?: boolean;
  settle: (r: Reply) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  inFlight: Map<number, Job>;
  /** paths of the jobs in flight */
  load: number;
}

function decode(r: Reply, i: number): HashedFile {
  const s = r.st!;
  const k = i * STAT_STRIDE;
  return { hex: r.hex.slice(i * 64, i * 64 + 64), ino: s[k], size: s[k + 1], mtimeMs: s[k + 2], mode: s[k + 3], uid: s[k + 4], gid: s[k + 5] };
}

export function createHashPool(opts: { threads?: number } = {}): HashPool {
  const threads = Math.max(1, opts.threads ?? availableParallelism());
  const queue: Job[] = [];
  let nextId = 0;
  let closed = false;

  const slots: Slot[] = [];
  for (let i = 0; i < threads; i++) {
    const slot: Slot = { worker: new Worker(WORKER_CODE, { eval: true }), inFlight: new Map(), load: 0 };
    slot.worker.on('message', (replies: Reply[]) => {
      for (const r of replies) {
        const job = slot.inFlight.get(r.id);
        if (!job) continue;
        slot.inFlight.delete(r.id);
        slot.load -= job.paths.length;
        job.settle(r);
      }
      pump(slot);
    });
    slot.worker.on('error', (err) => failSlot(slot, err));
    // An idle pool must not keep the process alive (a forgotten close() is not a hang).
    slot.worker.unref();
    slots.push(slot);
  }

  function pump(slot: Slot): void {
    if (queue.length > 0 && slot.load < PIPELINE) {
      const jobs: Job[] = [];
      while (queue.length > 0 && slot.load < PIPELINE) {
        const job = queue.shift()!;
        jobs.push(job);
        slot.inFlight.set(job.id, job);
        slot.load += job.paths.length;
      }
      slot.worker.postMessage(jobs.map((j) => ({ id: j.id, paths: j.paths.join('\0'), stat: j.stat, heads: j.heads })));
    }
    // Keep the process alive only while work is outstanding.
    if (slot.inFlight.size > 0) slot.worker.ref();
    else slot.worker.unref();
  }

  function failSlot(slot: Slot, err: Error): void {
    for (const job of slot.inFlight.values()) job.reject(new Error(`hash worker failed: ${err.message}`));
    slot.inFlight.clear();
    slot.load = 0;
  }

  function leastBusy(): Slot {
    let best = slots[0];
    for (const s of slots) if (s.load < best.load) best = s;
    return best;
  }

  function submit(paths: string[], stat: boolean, settle: (r: Reply) => void, reject: (err: Error) => void, heads = false): void {
    queue.push({ id: nextId++, paths, stat, settle, reject, heads });
    // a worker short of work gets it now; the others take the queue as their results come back
    const slot = leastBusy();
    if (slot.load < LOW_WATER) pump(slot);
  }

  function one(path: string, stat: boolean): Promise<Reply> {
    if (closed) return Promise.reject(new Error('hash pool is closed'));
    return new Promise((resolve, reject) => {
      submit([path], stat, (r) => {
        const e = r.errors[0];
        if (e) reject(Object.assign(new Error(`cannot hash ${path}: ${e[2]}`), { code: e[1] }));
        else resolve(r);
      }, reject);
    });
  }

  function many(paths: string[]): Promise<(HashedFile | undefined)[]> {
    if (closed) return Promise.reject(new Error('hash pool is closed'));
    if (paths.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      const out: (HashedFile | undefined)[] = new Array(paths.length);
      let left = Math.ceil(paths.length / MANY_CHUNK);
      let failed = false;
      for (let from = 0; from < paths.length; from += MANY_CHUNK) {
        const chunk = paths.slice(from, from + MANY_CHUNK);
        submit(chunk, true, (r) => {
          const bad = new Set<number>();
          for (const [i, code, message] of r.errors) {
            if (!failed && !isMissing({ code })) {
              failed = true;
              reject(Object.assign(new Error(`cannot hash ${chunk[i]}: ${message}`), { code }));
            }
            bad.add(i);
          }
          for (let i = 0; i < chunk.length; i++) out[from + i] = bad.has(i) ? undefined : decode(r, i);
          if (--left === 0 && !failed) resolve(out);
        }, (err) => {
          if (!failed) reject(err);
          failed = true;
        });
      }
      // the queued chunks go to every worker, not only the one that was short of work
      for (const s of slots) pump(s);
    });
  }

  function headMany(paths: string[]): Promise<string[]> {
    if (closed) return Promise.reject(new Error('hash pool is closed'));
    if (paths.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      const out: string[] = new Array(paths.length);
      let left = Math.ceil(paths.length / MANY_CHUNK);
      let failed = false;
      for (let from = 0; from < paths.length; from += MANY_CHUNK) {
        const chunk = paths.slice(from, from + MANY_CHUNK);
        submit(chunk, false, (r) => {
          for (const [i, code, message] of r.errors) {
            if (!failed && !isMissing({ code })) {
              failed = true;
              reject(Object.assign(new Error(`cannot read ${chunk[i]}: ${message}`), { code }));
            }
          }
          for (let i = 0; i < chunk.length; i++) out[from + i] = r.heads![i];
          if (--left === 0 && !failed) resolve(out);
        }, (err) => {
          if (!failed) reject(err);
          failed = true;
        }, true);
      }
      for (const s of slots) pump(s);
    });
  }

  return {
    headMany,
    hashFile: (path) => one(path, false).then((r) => r.hex.slice(0, 64)),
    hashFileStat: (path) => one(path, true).then((r) => decode(r, 0)),
    hashMany: many,
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      for (const job of queue.splice(0)) job.reject(new Error('hash pool closed before hashing ' + job.paths[0]));
      for (const s of slots) failSlot(s, new Error('pool closed'));
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
/** Single-file hash on the calling thread (dumps, small checks); streams in HASH_CHUNK reads. */
export async function sha256File(path: string): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const h = createHash('sha256');
    const buf = Buffer.allocUnsafe(HASH_CHUNK);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
    }
    return h.digest('hex');
  } finally {
    await fh.close();
  }
}
