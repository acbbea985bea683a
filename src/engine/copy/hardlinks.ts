/**
 * Hardlinks among the copied files: a source inode with several names (Dovecot's
 * maildir_copy_with_hardlinks, a message copied to another folder) must be one inode in the
 * snapshot too. rsync -H links names only within one run, and the copier runs many (batches, two
 * at once), so the names of an inode after its first never go to rsync: once every batch is in,
 * each is linked to the copy of the first name, and its index entry is the first's (the same
 * inode, the same bytes) under its own path.
 *
 * When the first name's copy is not there (the name vanished before rsync came), its other names
 * are copied after all, each as its own file.
 */
import { linkSync, lstatSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { IndexEntry } from '../../repository/manifest-format.js';
import type { ToCopy } from './to-copy.js';
import { isMissing } from '../../mailbox/walk.js';
import { copiesInstead } from '../link/linkable.js';

export class SecondNames {
  /** source inode → the first name listed, for inodes with several names */
  private readonly firstOf = new Map<number, string>();
  /** first name → its copy's entry, once copied (its second names may come after it was emitted) */
  private readonly entries = new Map<string, IndexEntry | undefined>();
  private readonly seconds: { path: string; first: string; size: number }[] = [];

  /** the list without the second names of an inode (kept back here) */
  *firstsOf(list: Iterable<ToCopy>): Generator<ToCopy> {
    for (const f of list) {
      if (f.ino === undefined || (f.nlink ?? 1) < 2) {
        yield f;
        continue;
      }
      const first = this.firstOf.get(f.ino);
      if (first === undefined) {
        this.firstOf.set(f.ino, f.path);
        this.entries.set(f.path, undefined);
        yield f;
      } else {
        this.seconds.push({ path: f.path, first, size: f.size });
      }
    }
  }

  /** a first name's entry as it is emitted (`e.path` is `<component>/<path>`) */
  copied(e: IndexEntry, component: string): IndexEntry {
    if (this.entries.size > 0) {
      const path = e.path.slice(component.length + 1);
      if (this.entries.has(path)) this.entries.set(path, e);
    }
    return e;
  }

  /**
   * Links every second name to its first's copy and hands over its entry; returns the names
   * whose first was not copied, to be copied themselves.
   */
  linkAll(dest: string, component: string, emit: (e: IndexEntry) => void): ToCopy[] {
    const again: ToCopy[] = [];
    for (const s of this.seconds) {
      const e = this.entries.get(s.first);
      if (e && linkTo(join(dest, s.first), join(dest, s.path), e.ino)) emit({ ...e, path: `${component}/${s.path}` });
      else again.push({ path: s.path, size: s.size });
    }
    return again;
  }
}

/** true when `to` is now a name of `from`'s inode `ino` */
function linkTo(from: string, to: string, ino: number): boolean {
  try {
    unlinkSync(to); // an interrupted run's copy (resume): the link replaces it
  } catch (err) {
    if (!isMissing(err)) throw err;
  }
  try {
    linkSync(from, to);
  } catch (err) {
    if (copiesInstead((err as NodeJS.ErrnoException).code)) return false;
    throw err;
  }
  if (lstatSync(to).ino === ino) return true;
  unlinkSync(to);
  return false;
}
