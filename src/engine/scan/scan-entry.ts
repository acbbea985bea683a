/** What the scan yields per name, and how it is asked (scan.ts). */
import type { FileStat } from '../../repository/manifest-format.js';
import type { ExcludeMatcher } from './exclude-match.js';
import { KIND, type FsPool } from './fs-pool.js';

export type EntryKind = 'file' | 'dir' | 'symlink' | 'other';

export interface ScanEntry extends FileStat {
  /** relative to the component's source root */
  path: string;
  kind: EntryKind;
  /** inode change time: moves on chmod, chown, ACL and xattr changes, which mtime does not see */
  ctimeMs: number;
  nlink: number;
  /** directories: Date.now() after this lstat and before the directory was listed */
  listedAt?: number;
}

export interface ScanOptions {
  pool: FsPool;
  /** -R form: only these paths (relative to the root) and the directories leading to them */
  entries?: string[];
  exclude?: ExcludeMatcher;
  signal?: AbortSignal;
  /** hand directories that hold no directory over as `leafOf` batches (not with exclude patterns) */
  leafDirs?: boolean;
  /** called for each name that was gone when it was read */
  onGone?: (path: string) => void;
}

/** The entry at offset `k` of a listing's lstat numbers (fs-pool.ts: LISTING_STRIDE per name). */
export function scanEntryOf(path: string, s: ArrayLike<number>, k: number): ScanEntry {
  return { path, kind: KIND[s[k]] as EntryKind, ino: s[k + 1], size: s[k + 2], mtimeMs: s[k + 3], ctimeMs: s[k + 4], mode: s[k + 5], uid: s[k + 6], gid: s[k + 7], nlink: s[k + 8] };
}
