/**
 * The side effects of the engine's plan (link-plan.ts), kept small: create a directory, link a
 * file from the previous snapshot and check what was linked, reuse a file an interrupted run
 * already copied, and let rsync set the attributes of directories and copy symlinks and devices.
 */
import { chmodSync, chownSync, utimesSync, linkSync, lstatSync, mkdirSync, renameSync, unlinkSync, rmSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { IndexEntry } from '../../repository/manifest-format.js';
import type { ScanEntry } from '../scan/scan-entry.js';
import type { LinkedInode } from '../scan/fs-pool.js';
import { copiesInstead, linkable } from './linkable.js';
import { rsyncMirror } from '../../tools/rsync.js';
import type { CopyInput } from '../copy/copy.js';
import { checkRsync, writeNulList } from '../copy/rsync-lists.js';

const code = (err: unknown) => (err as NodeJS.ErrnoException).code ?? '';

export function mkdirFresh(path: string, mode: number): void {
  try {
    mkdirSync(path, { mode });
  } catch (err) {
    if (code(err) !== 'EEXIST') throw err;
  }
}

/**
 * The index entry of a name just linked to `inode`, with the hash the previous index holds — or
 * undefined when the inode is not what the scan saw (someone changed the old snapshot): the
 * caller removes the link and copies the file from the source then.
 */
export function linkedEntry(e: ScanEntry, prev: IndexEntry, inode: LinkedInode, component: string): IndexEntry | undefined {
  if (inode.notAFile || !linkable(e, inode) || inode.size !== prev.size) return undefined;
  return { path: `${component}/${e.path}`, ino: inode.ino, size: inode.size, mtimeMs: inode.mtimeMs, mode: inode.mode, uid: inode.uid, gid: inode.gid, sha256: prev.sha256, isNew: false };
}

/**
 * Links `from` (a file of the previous snapshot, or an earlier name in this one) to `to` on this
 * thread (the few links decided after the scan; the scan's own go through link-queue.ts), and
 * returns its index entry — or undefined when the file is gone or not what it should be.
 */
export function linkOrCopy(from: string, to: string, e: ScanEntry, prev: IndexEntry, component: string): IndexEntry | undefined {
  try {
    linkSync(from, to);
  } catch (err) {
    if (copiesInstead(code(err))) return undefined;
    throw err;
  }
  // the inode was just touched by link(): this lstat is served from the inode cache
  const st = lstatSync(to);
  const entry = linkedEntry(e, prev, { notAFile: !st.isFile(), ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, mode: st.mode, uid: st.uid, gid: st.gid }, component);
  if (!entry) unlinkSync(to);
  return entry;
}

/**
 * A file an interrupted run of this snapshot already copied (only its own inodes: nlink 1) is
 * moved back into place when it is still what the source holds; rsync then finds nothing to do.
 */
export function reuseFromResume(resumeRoot: string, dest: string, e: ScanEntry): void {
  const old = join(resumeRoot, e.path);
  let st: Stats;
  try {
    st = lstatSync(old);
  } catch {
    return;
  }
  if (st.nlink === 1 && st.isFile() && linkable(e, st)) renameSync(old, join(dest, e.path));
}

/**
 * The component's own directory (rsync's `src/ dest/` gave it the source's mode, owner and
 * times; a files-from list cannot name it without copying what is in it).
 */
export function copyRootAttributes(srcRoot: string, dest: string): void {
  const st = lstatSync(srcRoot);
  chownSync(dest, st.uid, st.gid);
  chmodSync(dest, st.mode & 0o7777);
  utimesSync(dest, st.atime, st.mtime);
}

/**
 * Directories get their mode, owner and times from rsync last (linking into them moved their
 * mtimes); symlinks, devices and fifos are copied by it. Listed without -r: each one alone.
 */
export async function setDirectoryAttributes(input: CopyInput, paths: string[]): Promise<void> {
  if (paths.length === 0) return;
  writeNulList(input.scratchFile, paths);
  try {
    const out = await rsyncMirror({ srcRoot: input.srcRoot, dest: input.dest, filesFrom: input.scratchFile, exclude: input.exclude, signal: input.signal });
    checkRsync(input, out, `${input.name}'s directories and links`);
  } finally {
    rmSync(input.scratchFile, { force: true });
  }
}

/**
 * fsync of a directory: on ext4 (and XFS) it commits the whole running journal transaction, so
 * started right after the scan's hardlinks it writes their metadata out while rsync copies,
 * instead of inside the manifest's fsync at the end (measured on the 100k-message benchmark
 * tree: that fsync was 0.25 s of a 2.3 s incremental, the main thread waiting on the disk).
 * Its error is the run's error: after a failed fsync the kernel may not report it again.
 */
export async function flushDirectory(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
