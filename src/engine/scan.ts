/**
 * The one read of a component's source per run (docs/architecture.md): names and lstat of every
 * entry, depth-first, paths in byte order (manifest order, sortDirEntries), so that it can be
 * merge-joined with the previous snapshot's manifest.index without holding either in memory.
 * It skips what rsync's --exclude patterns skip (exclude-match.ts) and, in the -R entries form,
 * everything outside the configured entries.
 *
 * A live mail store changes under the scan: a directory or a name that is gone when it is read
 * was renamed or expunged meanwhile, and is skipped (the completeness check finds the new name).
 */
import { lstatSync, readdirSync, type Dirent, type Stats } from 'node:fs';
import { sortDirEntries } from './manifest-format.js';
import { entryCoverage } from './reconcile-plan.js';
import type { ExcludeMatcher } from './exclude-match.js';
import { InterruptedError } from '../errors.js';
import { isMissing } from '../mailbox/walk.js';

export type EntryKind = 'file' | 'dir' | 'symlink' | 'other';

export interface ScanEntry {
  /** relative to the component's source root */
  path: string;
  kind: EntryKind;
  ino: number;
  size: number;
  mtimeMs: number;
  /** inode change time: moves on chmod, chown, ACL and xattr changes, which mtime does not see */
  ctimeMs: number;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
}

export interface ScanOptions {
  /** -R form: only these paths (relative to the root) and the directories leading to them */
  entries?: string[];
  exclude?: ExcludeMatcher;
  signal?: AbortSignal;
  /** called for each name that was gone when it was read */
  onGone?: (path: string) => void;
}

function kindOf(st: Stats): EntryKind {
  return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'other';
}

function toEntry(path: string, st: Stats): ScanEntry {
  return { path, kind: kindOf(st), ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, mode: st.mode, uid: st.uid, gid: st.gid, nlink: st.nlink };
}

export function* scanSource(root: string, opts: ScanOptions = {}): Generator<ScanEntry> {
  const base = root.endsWith('/') ? root : root + '/';
  const frames: { rel: string; entries: Dirent[]; i: number; whole: boolean }[] = [];
  let count = 0;
  const open = (rel: string, whole: boolean) => {
    try {
      frames.push({ rel, entries: sortDirEntries(readdirSync(base + rel, { withFileTypes: true })), i: 0, whole });
    } catch (err) {
      if (!isMissing(err)) throw err;
      opts.onGone?.(rel);
    }
  };
  open('', !opts.entries);
  while (frames.length > 0) {
    const top = frames[frames.length - 1];
    if (top.i >= top.entries.length) {
      frames.pop();
      continue;
    }
    if (++count % 4096 === 0 && opts.signal?.aborted) throw new InterruptedError();
    const d = top.entries[top.i++];
    const rel = top.rel ? `${top.rel}/${d.name}` : d.name;
    let whole = top.whole;
    if (!whole) {
      const cover = entryCoverage(rel, opts.entries!);
      if (cover === 'remove') continue;
      whole = cover === 'keep';
    }
    let st: Stats;
    try {
      st = lstatSync(base + rel);
    } catch (err) {
      if (!isMissing(err)) throw err;
      opts.onGone?.(rel);
      continue;
    }
    const e = toEntry(rel, st);
    // implied directories of the -R form are never excluded by the patterns of what is in them
    if (whole && opts.exclude && !opts.exclude.empty && opts.exclude.excludes(rel, e.kind === 'dir')) continue;
    yield e;
    if (e.kind === 'dir') open(rel, whole);
  }
}
