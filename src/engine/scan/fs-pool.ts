/**
 * The scan's system calls on every core: directory listings with an lstat of each name, and
 * hardlinks. An incremental backup of a mail store is mostly lstat() and link() (docs/architecture.md,
 * the engine's measurements). Worker threads
 * take them a directory or a batch of a few hundred links at a time (a message round trip per
 * call would cost more than the call) and report numbers; the caller decides what they mean.
 * The threads and their queues: fs-threads.ts; what they run: fs-worker.ts.
 */
import { availableParallelism } from 'node:os';
import type { FileStat } from '../../repository/manifest-format.js';
import type { DirLinkJob, DirLinkResult } from '../link/dir-link.js';
import { FsThreads } from './fs-threads.js';

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

export function createFsPool(opts: { threads?: number } = {}): FsPool {
  const threads = new FsThreads(Math.max(1, opts.threads ?? availableParallelism()));
  return {
    async list(dir, leafOk) {
      const r = await threads.submit({ type: 'list', dir, leafOk }, true);
      if (r.gone) return undefined;
      if (r.leaf) return { names: [], stats: new Float64Array(0), leaf: true };
      return { names: r.names ? r.names.split('\0') : [], stats: r.out! };
    },
    async link(batch) {
      if (batch.from.length === 0) return [];
      const from = batch.from.join('\0');
      const to = batch.to.every((t, i) => t === batch.from[i]) ? undefined : batch.to.join('\0');
      const r = await threads.submit({ type: 'link', fromBase: batch.fromBase, toBase: batch.toBase, from, to });
      return decodeLinks(r.out!);
    },
    async linkDir(job) {
      const r = await threads.submit({ type: 'linkdir', ...job });
      return r.dir!;
    },
    close: () => threads.close(),
  };
}

/** per link, 7 numbers: ok (0 no, 1 yes, 2 not a file), ino, size, mtimeMs, mode, uid, gid */
function decodeLinks(out: Float64Array): (LinkedInode | undefined)[] {
  const r: (LinkedInode | undefined)[] = [];
  for (let k = 0; k < out.length; k += 7) {
    r.push(out[k] === 0 ? undefined : { notAFile: out[k] === 2, ino: out[k + 1], size: out[k + 2], mtimeMs: out[k + 3], mode: out[k + 4], uid: out[k + 5], gid: out[k + 6] });
  }
  return r;
}
