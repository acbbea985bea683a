/**
 * A full picture of a directory tree for before/after comparisons: per path its inode, mode,
 * owner, mtime, size, and content hash (or symlink target).
 */
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

export interface FileState {
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  mtimeMs: number;
  size: number;
  /** sha256 of a regular file, target of a symlink, '' for a directory */
  content: string;
}

export function treeState(root: string, opts: { skipDirs?: boolean } = {}): Map<string, FileState> {
  const out = new Map<string, FileState>();
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const p = join(root, r);
      const st = lstatSync(p);
      let content = '';
      if (st.isFile()) content = createHash('sha256').update(readFileSync(p)).digest('hex');
      else if (st.isSymbolicLink()) content = `-> ${readlinkSync(p)}`;
      if (!st.isDirectory() || !opts.skipDirs) {
        out.set(r, { ino: st.ino, mode: st.mode, uid: st.uid, gid: st.gid, mtimeMs: st.mtimeMs, size: st.size, content });
      }
      if (st.isDirectory()) walk(r);
    }
  };
  walk('');
  return out;
}

/** Paths whose state differs between two pictures (missing on either side included). */
export function diffStates(a: Map<string, FileState>, b: Map<string, FileState>, ignoreIno = false): string[] {
  const out: string[] = [];
  for (const [p, s] of a) {
    const t = b.get(p);
    if (!t) out.push(`${p}: gone`);
    else {
      const keys = (Object.keys(s) as (keyof FileState)[]).filter((k) => !(ignoreIno && k === 'ino'));
      const changed = keys.filter((k) => s[k] !== t[k]);
      if (changed.length) out.push(`${p}: ${changed.map((k) => `${k} ${s[k]} -> ${t[k]}`).join(', ')}`);
    }
  }
  for (const p of b.keys()) if (!a.has(p)) out.push(`${p}: new`);
  return out;
}
