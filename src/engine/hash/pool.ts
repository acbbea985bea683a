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
import { HeadCache } from './head-cache.js';

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
  hashMany(paths: string[], opts?: { keepHeads?: boolean }): Promise<(HashedFile | undefined)[]>;
  /**
   * The header blocks of message files (the first <= 64 KiB up to the blank line, bytes as
   * latin1); '' for a file that is not there. Those a `keepHeads` hash kept come from that read,
   * the others are read on the pool's threads.
   */
  headMany(paths: string[]): Promise<string[]>;
  /** header blocks kept from hashing, and how many of them headMany handed out */
  headStats(): { kept: number; taken: number };
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

/** header blocks kept from hashing at most (head-cache.ts): a day's new mail, not a first full store */
const HEAD_CACHE_BYTES = 32 * 1024 * 1024;

export function createHashPool(opts: { threads?: number; headCacheBytes?: number } = {}): HashPool {
  const workers = new HashWorkers(Math.max(1, opts.threads ?? availableParallelism()));
  const cache = new HeadCache(opts.headCacheBytes ?? HEAD_CACHE_BYTES);
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
    hashMany: (paths, o) => ifOpen(() => {
      const withHeads = Boolean(o?.keepHeads) && cache.open;
      return inChunks(workers, paths, { stat: true, withHeads, verb: 'hash' }, (r, i, failed, path) => {
        const head = r.heads?.[i];
        if (!failed && typeof head === 'string') cache.keep(path, head);
        return failed ? undefined : decode(r, i);
      });
    }),
    headMany: (paths) => ifOpen(async () => {
      const out = paths.map((p) => cache.take(p));
      const missing = paths.filter((_, i) => out[i] === undefined);
      const read = await inChunks(workers, missing, { stat: false, heads: true, verb: 'read' }, (r, i) => r.heads![i] ?? '');
      let k = 0;
      return out.map((h) => h ?? read[k++]);
    }),
    headStats: () => ({ kept: cache.kept, taken: cache.taken }),
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
  workers: HashWorkers, paths: string[], kind: { stat: boolean; heads?: boolean; withHeads?: boolean; verb: string },
  take: (r: Reply, i: number, failed: boolean, path: string) => T,
): Promise<T[]> {
  if (paths.length === 0) return Promise.resolve([]);
  return new Promise((resolve, reject) => {
    const out = new Array<T>(paths.length);
    let left = Math.ceil(paths.length / MANY_CHUNK);
    let failed = false;
    const fail = (err: Error) => {
      if (!failed) reject(err);
      failed = true;
    };
    for (let from = 0; from < paths.length; from += MANY_CHUNK) {
      const chunk = paths.slice(from, from + MANY_CHUNK);
      workers.submit({ paths: chunk, stat: kind.stat, heads: kind.heads, withHeads: kind.withHeads, reject: fail, settle: (r) => {
        const bad = new Set<number>();
        for (const [i, code, message] of r.errors) {
          if (!isMissing({ code })) fail(Object.assign(new Error(`cannot ${kind.verb} ${chunk[i]}: ${message}`), { code }));
          bad.add(i);
        }
        for (let i = 0; i < chunk.length; i++) out[from + i] = take(r, i, bad.has(i), chunk[i]);
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
