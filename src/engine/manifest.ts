/**
 * writeManifest: manifest.sha256 (standard sha256sum format) and manifest.index (our sidecar)
 * for a finished .partial, hashing only inodes that are new in this snapshot.
 *
 * Three streaming passes, so memory does not grow with the tree:
 *  1. walk the snapshot in byte order, merge-joined against the previous index by path: an
 *     unchanged file (same path, inode, size, mtime) takes the previous hash. Entries go to a
 *     temp file on the backup disk. A miss whose inode has other links (nlink > 1) is probably
 *     a renamed maildir message sharing the previous snapshot's inode: remember just its inode.
 *  2. only if there were such misses: scan the previous index once more for those inodes.
 *  3. read the temp file back, hash the rest on all cores (bounded window, so output stays in
 *     order), write both files to temp names, fsync, rename into place.
 */
import { closeSync, createReadStream, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';
import type { ManifestResult } from './index.js';
import { createHashPool } from './hash.js';
import { compareBytes, formatIndexLine, INDEX_HEADER, parseIndexLine, sha256sumLine, type IndexEntry } from './manifest-format.js';
import { readManifestIndex, walkSnapshotFiles } from './manifest-index.js';
import { layout } from '../repository/layout.js';
import { InterruptedError } from '../errors.js';

/** Hashes in flight at once: enough to keep every worker busy, small enough to bound memory. */
const WINDOW = 512;

type Prev = { ino: number; size: number; mtimeMs: number; sha256: string };

async function* prevIndexOrNothing(prevDir: string | undefined): AsyncGenerator<IndexEntry> {
  if (!prevDir) return;
  try {
    yield* readManifestIndex(prevDir);
  } catch (err) {
    // no index (older or failed snapshot): everything is hashed, which is only slower
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

const sameFile = (p: Prev, e: IndexEntry) => p.ino === e.ino && p.size === e.size && p.mtimeMs === e.mtimeMs;

/** Buffered sync writer: the manifest of 1,000,000 files is ~130 MB, written in 1 MB pieces. */
class Out {
  private buf: string[] = [];
  private len = 0;
  readonly fd: number;
  constructor(readonly path: string) {
    this.fd = openSync(path, 'w', 0o600);
  }
  write(s: string): void {
    this.buf.push(s);
    this.len += s.length;
    if (this.len > 1 << 20) this.flush();
  }
  flush(): void {
    if (this.buf.length) writeSync(this.fd, this.buf.join(''));
    this.buf = [];
    this.len = 0;
  }
  private closed = false;
  finish(): void {
    this.flush();
    fsyncSync(this.fd);
    this.close();
  }
  close(): void {
    if (!this.closed) closeSync(this.fd);
    this.closed = true;
  }
}

export async function writeManifest(
  partialDir: string,
  prevDir: string | undefined,
  opts: { log: Logger; signal?: AbortSignal },
): Promise<ManifestResult> {
  const t0 = Date.now();
  const entriesPath = join(partialDir, '.manifest.entries.tmp');
  const shaTmp = join(partialDir, '.manifest.sha256.tmp');
  const idxTmp = join(partialDir, '.manifest.index.tmp');
  const result: ManifestResult = { files: 0, bytes: 0, hashed: 0, reused: 0, durationMs: 0 };
  const pool = createHashPool();
  const outs: Out[] = [];
  try {
    // pass 1: walk + merge-join by path
    const wanted = new Map<number, Prev | undefined>();
    const entries = new Out(entriesPath);
    outs.push(entries);
    const prevIt = prevIndexOrNothing(prevDir)[Symbol.asyncIterator]();
    let prev = (await prevIt.next()).value as IndexEntry | undefined;
    let n = 0;
    for (const { path, st } of walkSnapshotFiles(partialDir)) {
      if (++n % 4096 === 0 && opts.signal?.aborted) throw new InterruptedError();
      while (prev && compareBytes(prev.path, path) < 0) prev = (await prevIt.next()).value as IndexEntry | undefined;
      const e: IndexEntry = { path, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, mode: st.mode, uid: st.uid, gid: st.gid, sha256: '', isNew: true };
      if (prev && prev.path === path && sameFile(prev, e)) {
        e.sha256 = prev.sha256;
        e.isNew = false;
      } else if (st.nlink > 1) wanted.set(st.ino, undefined);
      entries.write(formatIndexLine(e));
    }
    entries.finish();
    await prevIt.return?.(undefined);

    // pass 2: inodes that moved to another path (renamed messages)
    if (wanted.size > 0) {
      for await (const p of prevIndexOrNothing(prevDir)) if (wanted.has(p.ino)) wanted.set(p.ino, p);
    }

    // pass 3: hash what is new, write both files in order
    const sha = new Out(shaTmp);
    const idx = new Out(idxTmp);
    outs.push(sha, idx);
    idx.write(INDEX_HEADER);
    const window: { e: IndexEntry; hash?: Promise<string> }[] = [];
    const emit = async () => {
      const { e, hash } = window.shift()!;
      if (hash) e.sha256 = await hash;
      sha.write(sha256sumLine(e.sha256, e.path));
      idx.write(formatIndexLine(e));
    };
    const lines = createInterface({ input: createReadStream(entriesPath, { encoding: 'utf8', highWaterMark: 1 << 20 }), crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line) continue;
      const e = parseIndexLine(line);
      result.files++;
      result.bytes += e.size;
      let hash: Promise<string> | undefined;
      if (e.isNew) {
        const p = wanted.get(e.ino);
        if (p && sameFile(p, e)) {
          e.sha256 = p.sha256;
          e.isNew = false;
        } else {
          hash = pool.hashFile(join(partialDir, e.path));
          hash.catch(() => undefined); // awaited in order by emit(); not an unhandled rejection meanwhile
          result.hashed++;
        }
      }
      if (!e.isNew) result.reused++;
      window.push({ e, hash });
      if (window.length >= WINDOW) {
        if (opts.signal?.aborted) throw new InterruptedError();
        await emit();
      }
    }
    while (window.length > 0) await emit();
    sha.finish();
    idx.finish();
    renameSync(shaTmp, layout.manifest(partialDir));
    renameSync(idxTmp, layout.manifestIndex(partialDir));
  } finally {
    await pool.close();
    for (const o of outs) o.close();
    for (const p of [entriesPath, shaTmp, idxTmp]) rmSync(p, { force: true });
  }
  result.durationMs = Date.now() - t0;
  opts.log.info({ step: 'manifest', ...result }, 'manifest written');
  return result;
}
