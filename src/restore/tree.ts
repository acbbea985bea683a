/** A directory tree as plain data (path → type and attributes), for planning file restores. */
import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

export type EntryType = 'file' | 'dir' | 'link' | 'other';

export interface TreeEntry {
  type: EntryType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtimeMs: number;
  link?: string;
}

export type Tree = Map<string, TreeEntry>;

/** Walks `root` (paths relative to it); `only` limits the walk to these top-level names. */
export function walkTree(root: string, only?: string[]): Tree {
  const out: Tree = new Map();
  const visit = (rel: string) => {
    const abs = join(root, rel);
    const st = lstatSync(abs, { throwIfNoEntry: false });
    if (!st) return;
    const type: EntryType = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'link' : st.isFile() ? 'file' : 'other';
    out.set(rel, {
      type,
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      size: type === 'file' ? st.size : 0,
      mtimeMs: Math.floor(st.mtimeMs / 1000) * 1000, // rsync keeps whole seconds on some filesystems
      ...(type === 'link' ? { link: readlinkSync(abs) } : {}),
    });
    if (type === 'dir') for (const n of readdirSync(abs).sort()) visit(rel ? join(rel, n) : n);
  };
  let top: string[];
  try {
    top = only ?? readdirSync(root).sort();
  } catch {
    return out;
  }
  for (const n of top) visit(n);
  return out;
}
