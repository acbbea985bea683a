/**
 * The one rule "this file may be linked from the previous snapshot", used by the main thread
 * (link-plan.ts, apply.ts) and by the fs workers (dir-link.ts) alike.
 */

/** What says a file's content and metadata are what they were (mtime stands in for the content). */
export interface LinkStat {
  size: number;
  mtimeMs: number;
  mode: number;
  uid: number;
  gid: number;
  ctimeMs?: number;
}

/**
 * The previous snapshot's view of this file (`prev`) is still true of it: same size, mtime, mode
 * and owner. `since` (ms, the previous run's start): an inode changed after it (ctime) may differ
 * in what lstat does not show (an ACL, an xattr), so it is copied; the previous snapshot's inode
 * must never be changed in place. `since` undefined: no limit (no previous run's start known, or
 * a rename, which itself moves the ctime). Self-contained: the fs workers run it from its source text.
 */
export function linkable(e: LinkStat, prev: LinkStat, since?: number): boolean {
  if (since !== undefined && (e.ctimeMs === undefined || e.ctimeMs >= since)) return false;
  return e.size === prev.size && e.mtimeMs === prev.mtimeMs && (e.mode & 0o7777) === (prev.mode & 0o7777) && e.uid === prev.uid && e.gid === prev.gid;
}

/**
 * A link() that failed with this error code means "take the file from the source instead": the
 * old name is gone (ENOENT, ENOTDIR) or its inode has all the links it may (EMLINK). Any other
 * error fails the run. Self-contained: the fs workers run it from its source text.
 */
export function copiesInstead(code: string | undefined): boolean {
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EMLINK';
}
