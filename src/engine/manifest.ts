/**
 * writeManifest: manifest.sha256 (standard sha256sum format) and manifest.index (our sidecar)
 * for a finished .partial, hashing only inodes that are new in this snapshot.
 *
 * One walk in byte order (= the manifest's order), merge-joined with the previous index by
 * path: an unchanged file (same path, inode, size, mtime) takes the previous hash. Lines are
 * written at once with a placeholder hash that is patched in place when known (PatchWriter),
 * so memory does not grow with the tree:
 *  - a new inode (nlink 1, or no previous index) is hashed on the worker pool right away;
 *  - a path miss whose inode has other links is most likely a renamed maildir message still
 *    sharing the previous snapshot's inode: only those few are remembered, looked up in one
 *    more scan of the previous index, and hashed only if not found there.
 * The walk also checks that no shared inode's mode or owner changed under the previous
 * snapshot (attr-guard.ts) and repairs it if one did.
 */
import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ManifestResult, PrehashSource, SyncOptions } from './index.js';
import { createHashPool } from './hash.js';
import { compareBytes, formatIndexLine, INDEX_FLAG_OFFSET, INDEX_HEADER, sha256sumLine, type IndexEntry } from './manifest-format.js';
import { readManifestIndexSync, walkSnapshotFiles } from './manifest-index.js';
import { PatchWriter } from './patch-writer.js';
import { attributesLeaked, splitLeakedInode } from './attr-guard.js';
import { layout } from '../repository/layout.js';
import { InterruptedError } from '../errors.js';
import { filesAndBytes, formatCount, formatDuration } from '../log/units.js';

/** Hashes in flight at once: keeps every worker busy, bounds the queue. */
const MAX_IN_FLIGHT = 256;

/** Where an entry's placeholders sit in the two files. */
interface Slot {
  e: IndexEntry;
  shaAt: number;
  idxAt: number;
}

/**
 * The previous index, or as much of it as is readable. Missing or damaged (older tool, failed
 * snapshot) only means more hashing: it must never fail the backup.
 */
function* prevIndexOrNothing(prevDir: string | undefined, log: Logger): Generator<IndexEntry> {
  if (!prevDir) return;
  try {
    yield* readManifestIndexSync(prevDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    log.warn({ prevDir, err: (err as Error).message }, 'previous manifest.index unreadable; hashing those files again');
  }
}

const sameFile = (p: IndexEntry, e: IndexEntry) => p.ino === e.ino && p.size === e.size && p.mtimeMs === e.mtimeMs;

export async function writeManifest(
  partialDir: string,
  prevDir: string | undefined,
  opts: { log: Logger; signal?: AbortSignal; prehashed?: PrehashSource; progress?: SyncOptions['progress'] },
): Promise<ManifestResult> {
  const t0 = Date.now();
  const result: ManifestResult = { files: 0, bytes: 0, hashed: 0, reused: 0, prehashed: 0, byTop: {}, durationMs: 0 };
  const sha = new PatchWriter(join(partialDir, '.manifest.sha256.tmp'));
  const idx = new PatchWriter(join(partialDir, '.manifest.index.tmp'));
  const pool = createHashPool();
  let inFlight = 0;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;

  const fill = (s: Slot, hex: string, isNew: boolean) => {
    sha.patch(s.shaAt, hex);
    idx.patch(s.idxAt, hex);
    if (!isNew) idx.patch(s.idxAt + INDEX_FLAG_OFFSET, '0');
  };
  const hashLater = async (s: Slot) => {
    while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((r) => (wake = r));
    if (failure) throw failure;
    inFlight++;
    result.hashed++;
    pool.hashFile(join(partialDir, s.e.path)).then(
      (hex) => fill(s, hex, true),
      (err: Error) => (failure ??= err),
    ).finally(() => {
      inFlight--;
      wake?.();
    });
  };
  const place = (e: IndexEntry): Slot => {
    const line = sha256sumLine(e.sha256 || '0'.repeat(64), e.path);
    const slot = { e, shaAt: sha.position + (line[0] === '\\' ? 1 : 0), idxAt: idx.position };
    sha.write(line);
    idx.write(formatIndexLine(e));
    return slot;
  };

  try {
    idx.write(INDEX_HEADER);
    const hasPrev = prevDir !== undefined;
    const pending = new Map<number, Slot[]>();
    const prevIt = prevIndexOrNothing(prevDir, opts.log);
    let prev = prevIt.next().value as IndexEntry | undefined;
    let pre: string | undefined;
    for (const { path, st } of walkSnapshotFiles(partialDir)) {
      if (result.files % 4096 === 0 && opts.signal?.aborted) throw new InterruptedError();
      result.files++;
      result.bytes += st.size;
      const slash = path.indexOf('/');
      const top = slash < 0 ? path : path.slice(0, slash);
      const t = (result.byTop[top] ??= { files: 0, bytes: 0 });
      t.files++;
      t.bytes += st.size;
      opts.progress?.add(1, st.size);
      while (prev && compareBytes(prev.path, path) < 0) prev = prevIt.next().value as IndexEntry | undefined;
      const e: IndexEntry = { path, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, mode: st.mode, uid: st.uid, gid: st.gid, sha256: '', isNew: true };
      if (prev && prev.path === path && sameFile(prev, e) && attributesLeaked(prev, st)) {
        const fresh = await splitLeakedInode(partialDir, prevDir!, prev, opts.log);
        Object.assign(e, { ino: fresh.ino, mode: fresh.mode, uid: fresh.uid, gid: fresh.gid, mtimeMs: fresh.mtimeMs });
        result.repaired = (result.repaired ?? 0) + 1;
        await hashLater(place(e));
      } else if (prev && prev.path === path && sameFile(prev, e)) {
        e.sha256 = prev.sha256;
        e.isNew = false;
        result.reused++;
        place(e);
      } else if ((pre = opts.prehashed?.take(path, st)) !== undefined) {
        // hashed during rsync, and still exactly that inode, unchanged (prehash.ts): a new inode
        e.sha256 = pre;
        result.prehashed!++;
        place(e);
      } else if (hasPrev && st.nlink > 1) {
        const slot = place(e);
        const list = pending.get(st.ino);
        if (list) list.push(slot);
        else pending.set(st.ino, [slot]);
      } else {
        await hashLater(place(e));
      }
    }
    prevIt.return(undefined);

    if (pending.size > 0) {
      for (const p of prevIndexOrNothing(prevDir, opts.log)) {
        const slots = pending.get(p.ino);
        if (!slots || !sameFile(p, slots[0].e)) continue;
        for (const s of slots) fill(s, p.sha256, false);
        result.reused += slots.length;
        pending.delete(p.ino);
      }
      for (const slots of pending.values()) for (const s of slots) await hashLater(s);
    }
    while (inFlight > 0) await new Promise<void>((r) => (wake = r));
    if (failure) throw failure;
    sha.finish();
    idx.finish();
    renameSync(sha.path, layout.manifest(partialDir));
    renameSync(idx.path, layout.manifestIndex(partialDir));
  } finally {
    await pool.close();
    for (const w of [sha, idx]) {
      w.close();
      rmSync(w.path, { force: true });
    }
  }
  result.durationMs = Date.now() - t0;
  const hashed = `${formatCount(result.hashed + (result.prehashed ?? 0))} hashed, ${formatCount(result.reused)} reused`;
  opts.log.info({ step: 'manifest', ...result, byTop: undefined }, `manifest: ${filesAndBytes(result.files, result.bytes)} (${hashed}) in ${formatDuration(result.durationMs)}`);
  return result;
}
