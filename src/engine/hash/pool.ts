/**
 * SHA-256 of files, on every core. Node's crypto is OpenSSL (SHA-NI where the CPU has it): about
 * 3x faster per core than coreutils' sha256sum (docs/architecture.md), so manifest writing and `verify --full`
 * hash in-process instead of spawning sha256sum.
 *
 * Mail is mostly small files, so message round trips matter more than raw hash speed: a worker
 * gets its paths NUL-joined in one string and answers with the hashes in one string and the stat
 * numbers in one Float64Array — one structured clone per message, not per file. A caller with
 * many files (a copied batch) hands them over at once (hashMany: chunks of MANY_CHUNK); single
 * files queue up and go together to a worker as its earlier results come back. One message per
 * file capped a first backup of small files at about 10,000 files/s and cost the main thread
 * 2 s of structured clones per 100,000 files.
 */
import { availableParallelism } from 'node:os';
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { FileStat } from '../../repository/manifest-format.js';
import { isMissing } from '../../mailbox/walk.js';
import { HASH_CHUNK, STAT_STRIDE, type Reply } from './worker-code.js';
import { HashWorkers } from './workers.js';

export { HASH_CHUNK } from './worker-code.js';

/** paths of one hashMany() message */
const MANY_CHUNK = 64;

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

function decode(r: Reply, i: number): HashedFile {
  const s = r.st!;
  const k = i * STAT_STRIDE;
  return { hex: r.hex.slice(i * 64, i * 64 + 64), ino: s[k], size: s[k + 1], mtimeMs: s[k + 2], mode: s[k + 3], uid: s[k + 4], gid: s[k + 5] };
}

export function createHashPool(opts: { threads?: number } = {}): HashPool {
  const workers = new HashWorkers(Math.max(1, opts.threads ?? availableParallelism()));
  let closed = false;
  const ifOpen = <T>(run: () => Promise<T>): Promise<T> => (closed ? Promise.reject(new Error('hash pool is closed')) : run());
  const one = (path: string, stat: boolean) => ifOpen(() => new Promise<Reply>((resolve, reject) => {
    workers.submit({ paths: [path], stat, reject, settle: (r) => {
      const e = r.errors[0];
      if (e) reject(Object.assign(new Error(`cannot hash ${path}: ${e[2]}`), { code: e[1] }));
      else resolve(r);
    } });
  }));
  return {
    hashFile: (path) => one(path, false).then((r) => r.hex.slice(0, 64)),
    hashFileStat: (path) => one(path, true).then((r) => decode(r, 0)),
    hashMany: (paths) => ifOpen(() => inChunks(workers, paths, { stat: true, verb: 'hash' }, (r, i, failed) => (failed ? undefined : decode(r, i)))),
    headMany: (paths) => ifOpen(() => inChunks(workers, paths, { stat: false, heads: true, verb: 'read' }, (r, i) => r.heads![i])),
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await workers.close();
    },
  };
}

/**
 * Many files in MANY_CHUNK jobs, answers in the order of `paths`: `take` of each file's reply
 * (`failed` for one that is not there); any other error rejects the whole call.
 */
function inChunks<T>(
  workers: HashWorkers, paths: string[], kind: { stat: boolean; heads?: boolean; verb: string },
  take: (r: Reply, i: number, failed: boolean) => T,
): Promise<T[]> {
  if (paths.length === 0) return Promise.resolve([]);
  return new Promise((resolve, reject) => {
    const out: T[] = new Array(paths.length);
    let left = Math.ceil(paths.length / MANY_CHUNK);
    let failed = false;
    const fail = (err: Error) => {
      if (!failed) reject(err);
      failed = true;
    };
    for (let from = 0; from < paths.length; from += MANY_CHUNK) {
      const chunk = paths.slice(from, from + MANY_CHUNK);
      workers.submit({ paths: chunk, stat: kind.stat, heads: kind.heads, reject: fail, settle: (r) => {
        const bad = new Set<number>();
        for (const [i, code, message] of r.errors) {
          if (!isMissing({ code })) fail(Object.assign(new Error(`cannot ${kind.verb} ${chunk[i]}: ${message}`), { code }));
          bad.add(i);
        }
        for (let i = 0; i < chunk.length; i++) out[from + i] = take(r, i, bad.has(i));
        if (--left === 0 && !failed) resolve(out);
      } });
    }
    workers.pumpAll();
  });
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
