/**
 * Safety net for invariant 3 of docs/invariants.md, run by the manifest walk. The reconcile step unlinks what rsync
 * would change in place, but the source can change between that dry run and the real rsync
 * (a chmod during cp -al). If a file still shares its inode with the previous snapshot but its
 * mode or owner no longer match what the previous manifest.index recorded, the change leaked
 * into the earlier snapshots: give this snapshot its own copy (attributes, ACLs and xattrs as
 * they are now) and put the recorded mode and owner back on the shared inode.
 */
import { chmodSync, chownSync, lstatSync, rmSync, renameSync, utimesSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { copyPreservingAll } from '../tools/coreutils.js';
import type { IndexEntry } from './manifest-format.js';

export function attributesLeaked(prev: IndexEntry, st: Stats): boolean {
  return (prev.mode & 0o7777) !== (st.mode & 0o7777) || prev.uid !== st.uid || prev.gid !== st.gid;
}

/** Returns the new inode's stats. */
export async function splitLeakedInode(partialDir: string, prevDir: string, prev: IndexEntry, log: Logger): Promise<Stats> {
  const path = join(partialDir, prev.path);
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.split.tmp`);
  const dirSt = lstatSync(dir);
  try {
    await copyPreservingAll(path, tmp);
    renameSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
    // the directory mirrors the source's, mtime included
    utimesSync(dir, dirSt.atime, new Date(dirSt.mtimeMs));
  }
  const old = join(prevDir, prev.path);
  chownSync(old, prev.uid, prev.gid);
  chmodSync(old, prev.mode & 0o7777);
  log.warn({ path: prev.path }, 'an attribute change reached the previous snapshot during the sync; repaired (this snapshot got its own copy)');
  return lstatSync(path);
}
