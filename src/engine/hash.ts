/**
 * SHA-256 of files, on every core. Node's crypto is OpenSSL (SHA-NI where the CPU has it): about
 * 3x faster per core than coreutils' sha256sum (docs/architecture.md), so manifest writing and `verify --full`
 * hash in-process instead of spawning sha256sum.
 *
 * The workers are created from inline code (`eval: true`) because the CLI ships as one bundled
 * file: there is no separate worker script on disk to point at.
 *
 * Mail is mostly small files, so per-file message round trips matter more than raw hash speed:
 * a worker with few paths in flight gets a new one at once; past LOW_WATER the paths queue up and
 * go in chunks (up to CHUNK per message, PIPELINE in flight) each time a worker sends results
 * back. One message per file capped a first backup of small files at about 10,000 files/s: the
 * workers waited on the busy main thread. (Gathering chunks in a setImmediate instead left the
 * process with nothing to wait on now and then: exit 13, a hash never settled, in about one of five
 * runs of 60,000 hashes with 64 in flight; the drill e2e test caught it.)
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { FileStat } from './manifest-format.js';

/** Read size: large enough that a big dump is a few hundred syscalls, small enough per worker. */
export const HASH_CHUNK = 1024 * 1024;
const PIPELINE = 128;
const CHUNK = 32;
const LOW_WATER = 8;

// Runs inside each worker (CommonJS eval context). Sync reads are fine here: they block only
// this worker's thread, and avoid a promise per chunk for the many small mail files.
const WORKER_CODE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const buf = Buffer.allocUnsafe(${HASH_CHUNK});
function hashOne(job) {
  let fd;
  try {
    fd = fs.openSync(job.path, 'r');
    const h = createHash('sha256');
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(n === buf.length ? buf : buf.subarray(0, n));
    }
    // fstat of the fd just read, not of the path: describes exactly the inode that was hashed
    const st = job.stat ? fs.fstatSync(fd) : undefined;
    return { id: job.id, hex: h.digest('hex'), st: st && { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, mode: st.mode, uid: st.uid, gid: st.gid } };
  } catch (err) {
    return { id: job.id, error: String(err && err.message || err), code: err && err.code };
  } finally {
    if (fd !== undefined) try { fs.closeSync(fd); } catch {}
  }
}
parentPort.on('message', (jobs) => parentPort.postMessage(jobs.map(hashOne)));
`;

export interface HashPool {
  /** hex sha256 of the file's content; rejects (with the fs error code kept) if it cannot be read */
  hashFile(path: string): Promise<string>;
  /** the same, plus the hashed inode's identity fstat'ed right after reading it (pre-hashing) */
  hashFileStat(path: string): Promise<HashedFile>;
  /** waits for nothing: pending hashes are rejected; call after awaiting your hashes */
  close(): Promise<void>;
}

export interface HashedFile extends FileStat {
  hex: string;
}

interface Job {
  id: number;
  path: string;
  stat: boolean;
  resolve: (r: { hex: string; st?: FileStat }) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  inFlight: Map<number, Job>;
}

export function createHashPool(opts: { threads?: number } = {}): HashPool {
  const threads = Math.max(1, opts.threads ?? availableParallelism());
  const queue: Job[] = [];
  let nextId = 0;
  let closed = false;

  const slots: Slot[] = [];
  for (let i = 0; i < threads; i++) {
    const slot: Slot = { worker: new Worker(WORKER_CODE, { eval: true }), inFlight: new Map() };
    slot.worker.on('message', (msgs: { id: number; hex?: string; st?: FileStat; error?: string; code?: string }[]) => {
      for (const msg of msgs) {
        const job = slot.inFlight.get(msg.id);
        if (!job) continue;
        slot.inFlight.delete(msg.id);
        if (msg.hex !== undefined) job.resolve({ hex: msg.hex, st: msg.st });
        else job.reject(Object.assign(new Error(`cannot hash ${job.path}: ${msg.error}`), { code: msg.code }));
      }
      pump(slot);
    });
    slot.worker.on('error', (err) => failSlot(slot, err));
    // An idle pool must not keep the process alive (a forgotten close() is not a hang).
    slot.worker.unref();
    slots.push(slot);
  }

  function pump(slot: Slot, chunk = CHUNK): void {
    while (slot.inFlight.size < PIPELINE && queue.length > 0) {
      const jobs = queue.splice(0, Math.min(chunk, PIPELINE - slot.inFlight.size));
      for (const job of jobs) slot.inFlight.set(job.id, job);
      slot.worker.postMessage(jobs.map((job) => ({ id: job.id, path: job.path, stat: job.stat })));
    }
    // Keep the process alive only while work is outstanding.
    if (slot.inFlight.size > 0) slot.worker.ref();
    else slot.worker.unref();
  }

  function failSlot(slot: Slot, err: Error): void {
    for (const job of slot.inFlight.values()) job.reject(new Error(`hash worker failed: ${err.message}`));
    slot.inFlight.clear();
  }

  function leastBusy(): Slot {
    let best = slots[0];
    for (const s of slots) if (s.inFlight.size < best.inFlight.size) best = s;
    return best;
  }

  function submit(path: string, stat: boolean): Promise<{ hex: string; st?: FileStat }> {
    if (closed) return Promise.reject(new Error('hash pool is closed'));
    return new Promise((resolve, reject) => {
      queue.push({ id: nextId++, path, stat, resolve, reject });
      // a worker short of work gets it now; the others take chunks of the queue as their results come back
      const slot = leastBusy();
      if (slot.inFlight.size < LOW_WATER) pump(slot, 1);
    });
  }

  return {
    hashFile: (path) => submit(path, false).then((r) => r.hex),
    hashFileStat: (path) => submit(path, true).then((r) => ({ hex: r.hex, ...r.st! })),
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      for (const job of queue.splice(0)) job.reject(new Error('hash pool closed before hashing ' + job.path));
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
