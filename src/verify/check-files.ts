/**
 * The file phase of a verification: every file on disk against its manifest entry (missing,
 * unexpected, changed). Matched files go to the verify workers in batches: stat first, then
 * hash only what is neither the same inode as in `prevDir` (default level: those bytes were
 * verified with that snapshot) nor already hashed in this run (inode cache).
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { layout } from '../repository/layout.js';
import type { VerifyPool } from './batch-pool.js';
import { BatchQueue } from './batch-queue.js';
import { mergeWithManifest, pairByMap, UnsortedManifest, type PairHooks } from './pair.js';
import type { Damage } from './verify-snapshot.js';
import type { WalkedFile } from './walk.js';

export interface FileCheckOptions {
  prevDir?: string;
  /** dump files already read by checkDump: path → sha256 (undefined when the dump is damaged) */
  dumpFiles: Map<string, string | undefined>;
  /**
   * inode → sha256, shared across the snapshots of one `--all` run. Absent for a single snapshot:
   * there nearly every inode is shared with other snapshots, and caching them all cost 540 MB at
   * 1,000,000 files (benchmark) for hashes this run would never look up again.
   */
  cache?: Map<string, string>;
  pool: VerifyPool;
  log: Logger;
  signal?: AbortSignal;
  /** told of each batch checked (live progress) */
  progress?: { add(files: number, bytes: number): void };
}

export interface FileCheckResult {
  damaged: Damage[];
  checked: { files: number; bytes: number; hashed: number; cachedInodes: number; sharedSkipped: number };
}

type Item = { f: WalkedFile; expected: string };

/** One pass over a snapshot's files: what it found damaged and what it counted. */
class FileChecker {
  readonly damaged: Damage[] = [];
  readonly checked = { files: 0, bytes: 0, hashed: 0, cachedInodes: 0, sharedSkipped: 0 };

  constructor(private readonly o: FileCheckOptions) {}

  private unreadable(f: WalkedFile, r: { error?: string; code?: string }): void {
    this.damaged.push({ path: f.rel, problem: r.code === 'ENOENT' ? 'missing (vanished while checking)' : `unreadable: ${r.error}` });
  }

  private compare(it: Item, sha256: string): void {
    if (sha256 !== it.expected) this.damaged.push({ path: it.f.rel, problem: 'changed (sha256 differs from manifest.sha256)' });
  }

  /** nothing to skip (no previous snapshot to share with, no inode cache): hash and stat at once */
  private async hashAll(batch: Item[]): Promise<void> {
    const out = await this.o.pool.hashStat(batch.map((it) => it.f.abs));
    let bytes = 0;
    batch.forEach((it, i) => {
      const h = out[i];
      if (h.error) return this.unreadable(it.f, h);
      bytes += h.size!;
      this.checked.hashed++;
      this.compare(it, h.sha256!);
    });
    this.checked.bytes += bytes;
    this.o.progress?.add(batch.length, bytes);
  }

  /** stat first: a file that is the previous snapshot's inode, or an inode hashed before, is not read again */
  readonly processBatch = async (batch: Item[]): Promise<void> => {
    const { o, checked } = this;
    if (!o.prevDir && !o.cache) return this.hashAll(batch);
    const stats = await o.pool.stat(batch.map((it) => it.f.abs), o.prevDir ? batch.map((it) => join(o.prevDir!, it.f.rel)) : undefined);
    const toHash: { it: Item; inode: string; shared: boolean }[] = [];
    batch.forEach((it, i) => {
      const s = stats[i];
      if (s.error) return this.unreadable(it.f, s);
      checked.bytes += s.size!;
      if (s.sameAsPrev) checked.sharedSkipped++;
      else if (o.cache?.has(s.inode!)) {
        checked.cachedInodes++;
        this.compare(it, o.cache.get(s.inode!)!);
      } else toHash.push({ it, inode: s.inode!, shared: s.nlink! > 1 });
    });
    const hashes = await o.pool.hash(toHash.map((t) => t.it.f.abs));
    toHash.forEach((t, i) => {
      const h = hashes[i];
      if (h.error) return this.unreadable(t.it.f, h);
      checked.hashed++;
      if (t.shared) o.cache?.set(t.inode, h.sha256!); // only a shared inode can be met again
      this.compare(t.it, h.sha256!);
    });
    o.progress?.add(batch.length, stats.reduce((n, s) => n + (s.size ?? 0), 0));
  };

  /** What the merge of the walk with the manifest calls: dumps were read whole already (o.dumpFiles). */
  hooks(queue: BatchQueue<Item>): PairHooks {
    const { o, checked, damaged } = this;
    return {
      match(f, expected) {
        checked.files++;
        if (o.dumpFiles.has(f.rel)) {
          const read = o.dumpFiles.get(f.rel);
          if (read && read !== expected) damaged.push({ path: f.rel, problem: 'sha256 differs from manifest.sha256' });
          return;
        }
        return queue.push({ f, expected });
      },
      missing(path) {
        if (!o.dumpFiles.has(path)) damaged.push({ path, problem: 'missing (listed in manifest.sha256)' });
      },
      unexpected(f) {
        checked.files++;
        damaged.push({ path: f.rel, problem: 'unexpected file (not in manifest.sha256)' });
      },
    };
  }
}

async function attempt(pair: typeof mergeWithManifest, snapDir: string, o: FileCheckOptions): Promise<FileCheckResult> {
  const checker = new FileChecker(o);
  const queue = new BatchQueue<Item>(checker.processBatch);
  try {
    await pair(snapDir, layout.manifest(snapDir), checker.hooks(queue), o.signal);
    await queue.flush();
  } finally {
    await queue.idle();
  }
  return { damaged: checker.damaged, checked: checker.checked };
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
