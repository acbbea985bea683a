/**
 * The file phase of a verification: every file on disk against its manifest entry (missing,
 * unexpected, changed). Hashes run on the worker pool, a bounded number in flight. With a
 * `prevDir` (default level) a file that is the same inode as in the snapshot it came from is not
 * read again: those bytes were verified with that snapshot.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { HashPool } from '../engine/hash.js';
import { layout } from '../repository/layout.js';
import { mergeWithManifest, pairByMap, UnsortedManifest, type PairHooks } from './pair.js';
import type { Damage } from './verify-snapshot.js';
import { inodeOf, type WalkedFile } from './walk.js';

const IN_FLIGHT = 64;

export interface FileCheckOptions {
  prevDir?: string;
  /** dump files already read by checkDump: path → sha256 (undefined when the dump is damaged) */
  dumpFiles: Map<string, string | undefined>;
  /** inode → sha256, shared across the snapshots of one run */
  cache: Map<string, string>;
  pool: HashPool;
  log: Logger;
  signal?: AbortSignal;
}

export interface FileCheckResult {
  damaged: Damage[];
  checked: { files: number; bytes: number; hashed: number; cachedInodes: number; sharedSkipped: number };
}

async function attempt(
  pair: typeof mergeWithManifest,
  snapDir: string,
  o: FileCheckOptions,
): Promise<FileCheckResult> {
  const damaged: Damage[] = [];
  const checked = { files: 0, bytes: 0, hashed: 0, cachedInodes: 0, sharedSkipped: 0 };
  const inflight = new Set<Promise<void>>();

  const verifyOne = async (f: WalkedFile, expected: string): Promise<void> => {
    if (o.prevDir && (await inodeOf(join(o.prevDir, f.rel))) === f.inode) {
      checked.sharedSkipped++;
      return;
    }
    let hex = o.cache.get(f.inode);
    if (hex) checked.cachedInodes++;
    else {
      try {
        hex = await o.pool.hashFile(f.abs);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        damaged.push({ path: f.rel, problem: code === 'ENOENT' ? 'missing (vanished while checking)' : `unreadable: ${(err as Error).message}` });
        return;
      }
      checked.hashed++;
      if (f.nlink > 1) o.cache.set(f.inode, hex); // only a shared inode can be met again
    }
    if (hex !== expected) damaged.push({ path: f.rel, problem: 'changed (sha256 differs from manifest.sha256)' });
  };

  const hooks: PairHooks = {
    async match(f, expected) {
      checked.files++;
      checked.bytes += f.size;
      if (o.dumpFiles.has(f.rel)) {
        const read = o.dumpFiles.get(f.rel);
        if (read && read !== expected) damaged.push({ path: f.rel, problem: 'sha256 differs from manifest.sha256' });
        return;
      }
      const task = verifyOne(f, expected);
      inflight.add(task);
      void task.finally(() => inflight.delete(task));
      if (inflight.size >= IN_FLIGHT) await Promise.race(inflight);
    },
    missing(path) {
      if (!o.dumpFiles.has(path)) damaged.push({ path, problem: 'missing (listed in manifest.sha256)' });
    },
    unexpected(f) {
      checked.files++;
      checked.bytes += f.size;
      damaged.push({ path: f.rel, problem: 'unexpected file (not in manifest.sha256)' });
    },
  };
  try {
    await pair(snapDir, layout.manifest(snapDir), hooks, o.signal);
  } finally {
    await Promise.all(inflight);
  }
  return { damaged, checked };
}

export async function checkFiles(snapDir: string, o: FileCheckOptions): Promise<FileCheckResult> {
  try {
    return await attempt(mergeWithManifest, snapDir, o);
  } catch (err) {
    if (!(err instanceof UnsortedManifest)) throw err;
    o.log.warn({ snapshot: snapDir, reason: err.message }, 'manifest not in byte order: pairing through a map (more memory)');
    return attempt(pairByMap, snapDir, o);
  }
}
