/**
 * The hash pool's worker thread (pool.ts), as source text: the workers are created from inline
 * code (`eval: true`) because the CLI ships as one bundled file, with no worker script on disk.
 */
import { HEADER_BLOCK_MAX, headerBlockEnd } from '../../mailbox/headers.js';
import { isMessagePath } from '../../mailbox/maildir.js';

/** Read size: large enough that a big dump is a few hundred syscalls, small enough per worker. */
export const HASH_CHUNK = 1024 * 1024;
export const STAT_STRIDE = 6;

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
  let reads = 0;
  for (;;) {
    const n = fs.readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    reads++;
    h.update(n === buf.length ? buf : buf.subarray(0, n));
    total += n;
    if (n < buf.length && total >= s.size) break;
  }
  // whole: the file's length when one read held all of it (it is still in buf), else -1
  return { hex: h.digest('hex'), s, whole: reads <= 1 ? total : -1 };
}`;

// Runs inside each worker (CommonJS eval context). Sync reads are fine here: they block only
// this worker's thread, and avoid a promise per chunk for the many small mail files.
// A message is a list of jobs {id, paths (NUL-joined), stat}; the reply per job: hex (64 chars
// per path, 64 spaces where it failed), st (6 numbers per path when asked), errors [[i, code, message]].
export const WORKER_CODE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const buf = Buffer.allocUnsafe(${HASH_CHUNK});
const FAILED = ' '.repeat(64);
${HASH_FD_SOURCE}
const headerBlockEnd = ${headerBlockEnd.toString()};
const isMessagePath = ${isMessagePath.toString()};
// heads: with withHeads, a message file's header block taken from the read that hashed it (null
// where that read did not hold the whole file or the path is not a message)
function hashOne(path, st, k, heads) {
  const fd = fs.openSync(path, 'r');
  try {
    const { hex, s, whole } = hashFd(fd, buf);
    // fstat of the fd read, not of the path: describes exactly the inode that was hashed
    if (st) { st[k] = s.ino; st[k + 1] = s.size; st[k + 2] = s.mtimeMs; st[k + 3] = s.mode; st[k + 4] = s.uid; st[k + 5] = s.gid; }
    if (heads) heads.push(whole >= 0 && isMessagePath(path) ? buf.latin1Slice(0, headerBlockEnd(buf, Math.min(whole, ${HEADER_BLOCK_MAX}))) : null);
    return hex;
  } finally {
    try { fs.closeSync(fd); } catch {}
  }
}
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
  const kept = job.withHeads ? [] : undefined;
  const errors = [];
  for (let i = 0; i < paths.length; i++) {
    try {
      hex.push(hashOne(paths[i], st, i * ${STAT_STRIDE}, kept));
    } catch (err) {
      hex.push(FAILED);
      if (kept && kept.length === i) kept.push(null);
      errors.push([i, err && err.code, String(err && err.message || err)]);
    }
  }
  return { id: job.id, hex: hex.join(''), st, heads: kept, errors };
}
parentPort.on('message', (jobs) => {
  const out = jobs.map(run);
  parentPort.postMessage(out, out.filter((r) => r.st).map((r) => r.st.buffer));
});
`;

/** A worker's answer to one job (WORKER_CODE says what each field holds). */
export interface Reply {
  id: number;
  hex: string;
  /** header blocks: of a heads job, or (null where not taken) of a hash job withHeads */
  heads?: (string | null)[];
  st?: Float64Array;
  errors: [number, string | undefined, string][];
}
