/**
 * What `restore files --in-place` does, decided from two trees: create what is missing, replace
 * what differs (after saving it), leave alone what is equal and what exists only live.
 * Differs = type, mode, owner, symlink target, or size/mtime of a file (rsync's quick check).
 */
import type { Tree, TreeEntry } from './tree.js';

export interface FilesPlan {
  create: string[];
  replace: string[];
  unchanged: string[];
  /** live entry of another type (a directory where the snapshot has a file): refused */
  conflicts: string[];
  /** live entries the snapshot does not have: left alone */
  extraLive: string[];
}

function differs(s: TreeEntry, l: TreeEntry): boolean {
  if (s.mode !== l.mode || s.uid !== l.uid || s.gid !== l.gid) return true;
  if (s.type === 'link') return s.link !== l.link;
  if (s.type === 'file') return s.size !== l.size || s.mtimeMs !== l.mtimeMs;
  return false;
}

export function planFiles(snapshot: Tree, live: Tree): FilesPlan {
  const plan: FilesPlan = { create: [], replace: [], unchanged: [], conflicts: [], extraLive: [] };
  for (const [path, s] of snapshot) {
    const l = live.get(path);
    if (!l) plan.create.push(path);
    else if (l.type !== s.type) plan.conflicts.push(path);
    else if (differs(s, l)) plan.replace.push(path);
    else plan.unchanged.push(path);
  }
  // a conflicting directory's contents are not compared: the restore refuses before that matters
  for (const path of live.keys()) if (!snapshot.has(path)) plan.extraLive.push(path);
  return plan;
}

export function isNoop(p: FilesPlan): boolean {
  return p.create.length === 0 && p.replace.length === 0;
}
