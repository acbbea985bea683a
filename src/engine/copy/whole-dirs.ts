/**
 * A directory whose every non-directory entry is new goes to rsync as `dir/` with -d (its direct
 * entries, no recursion) instead of name by name: rsync spends about twice the time per file on a
 * list of single names (docs/architecture.md, the engine's measurements), minutes on a first backup.
 *
 * The scan's counts decide (DirCounts); rsync then also brings what appeared in such a directory
 * after the scan listed it: those names are not in the plan, so the copier removes them again
 * (copy.ts), and on a mail store the completeness check (complete/complete.ts) sees the directory's
 * changed mtime and copies them properly. The component root is never listed whole: with
 * `entries` it holds more than the component.
 */

import { ownString } from '../../util/own-string.js';
import type { RsyncItem } from '../../tools/rsync.js';

/** Directory path (relative, '' for the root) → how many non-directory entries the scan met in it. */
export class DirCounts {
  private readonly counts = new Map<string, number>();

  /** a directory the scan met (kept as its own string: see util/own-string.ts) */
  dir(path: string): void {
    if (!this.counts.has(path)) this.counts.set(ownString(path), 0);
  }

  /** a non-directory entry the scan met */
  entry(path: string): void {
    const parent = parentOf(path);
    const n = this.counts.get(parent);
    if (n !== undefined) this.counts.set(parent, n + 1);
    // a parent not met as a directory (root, or an `entries` component): never listed whole
  }

  /** `n` non-directory entries of `dir` at once (a leaf directory listed whole) */
  entries(dir: string, n: number): void {
    const had = this.counts.get(dir);
    if (had !== undefined) this.counts.set(dir, had + n);
  }

  /** a directory the scan met (so rsync -d may report it, and it is not an extra) */
  has(dir: string): boolean {
    return this.counts.has(dir);
  }

  count(dir: string): number | undefined {
    return this.counts.get(dir);
  }
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** Fewer files than this in a directory: listed by name (no gain, and fewer extras to undo). */
export const WHOLE_DIR_MIN_FILES = 4;

export interface RsyncList {
  /** what goes into --files-from: file names, and `dir/` for each whole directory */
  names: string[];
  /** the directories listed whole */
  wholeDirs: Set<string>;
  /** the batch's paths, when a directory is listed whole (to tell what rsync brought along) */
  planned?: Set<string>;
}

/** The rsync list for one batch of paths to copy (any order). */
export function rsyncListFor(batch: readonly string[], counts: DirCounts | undefined): RsyncList {
  const wholeDirs = new Set<string>();
  if (!counts) return { names: [...batch], wholeDirs };
  const inBatch = new Map<string, number>();
  for (const p of batch) {
    const d = parentOf(p);
    inBatch.set(d, (inBatch.get(d) ?? 0) + 1);
  }
  for (const [d, n] of inBatch) {
    if (d !== '' && n >= WHOLE_DIR_MIN_FILES && counts.count(d) === n) wholeDirs.add(d);
  }
  const names: string[] = [...wholeDirs].map((d) => `${d}/`);
  for (const p of batch) if (!wholeDirs.has(parentOf(p))) names.push(p);
  return { names, wholeDirs, planned: wholeDirs.size > 0 ? new Set(batch) : undefined };
}

/** A name rsync brought along with a whole directory that the scan did not see there (copy.ts removes it). */
export function broughtAlong(list: RsyncList, counts: DirCounts | undefined, item: Pick<RsyncItem, 'code' | 'name'>): boolean {
  if (!list.planned || !counts) return false;
  const isDir = item.code[1] === 'd';
  const name = isDir ? item.name.replace(/\/$/, '') : item.name;
  if (!list.wholeDirs.has(parentOf(name))) return false;
  return isDir ? !counts.has(name) : !list.planned.has(name);
}
