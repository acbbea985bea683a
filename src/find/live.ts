/**
 * Is a message already in a user's live mailbox, in any folder? By maildir base name first
 * (a flag change or a move keeps it), then by Message-ID and size, or, without a Message-ID,
 * by content. Only file names are listed; headers (or content) are read only of live files of
 * the very size of a candidate. `find --deleted` and restore by filter share this rule.
 */
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { sha256File } from '../engine/hash/pool.js';
import { baseName, listFolderDirs, listMessages } from '../mailbox/maildir.js';
import { readHeaders } from './index-build.js';

export interface Wanted {
  baseNames: string[];
  messageId: string;
  size: number;
  sha256: string;
}

interface Listing {
  bases: Set<string>;
  bySize: Map<number, string[]>;
}

/** Dovecot's ",S=<size>" in a file name is the file's size; lstat where a name lacks it. */
function sizeOf(path: string, name: string): number {
  const m = /,S=(\d+)/.exec(name);
  return m ? Number(m[1]) : (lstatSync(path, { throwIfNoEntry: false })?.size ?? -1);
}

export class LiveMailbox {
  private listing?: Listing;
  private readonly ids = new Map<string, string>();
  private readonly sums = new Map<string, string>();

  constructor(readonly dir: string) {}

  private list(): Listing {
    if (this.listing) return this.listing;
    const bases = new Set<string>();
    const bySize = new Map<number, string[]>();
    for (const d of listFolderDirs(this.dir)) {
      for (const m of listMessages(this.dir, d)) {
        bases.add(baseName(m.name));
        const path = join(this.dir, d, m.sub, m.name);
        const size = sizeOf(path, m.name);
        const same = bySize.get(size);
        if (same) same.push(path);
        else bySize.set(size, [path]);
      }
    }
    return (this.listing = { bases, bySize });
  }

  /** Adds a message just restored, so a second copy of it in the same run is seen as there. */
  note(w: Wanted, path: string): void {
    const l = this.list();
    for (const b of w.baseNames) l.bases.add(b);
    const same = l.bySize.get(w.size);
    if (same) same.push(path);
    else l.bySize.set(w.size, [path]);
    if (w.messageId) this.ids.set(path, w.messageId);
    else this.sums.set(path, w.sha256);
  }

  async holds(w: Wanted): Promise<boolean> {
    const l = this.list();
    if (w.baseNames.some((b) => l.bases.has(b))) return true;
    for (const path of l.bySize.get(w.size) ?? []) {
      try {
        if (w.messageId) {
          if (!this.ids.has(path)) this.ids.set(path, (await readHeaders(path)).messageId);
          if (this.ids.get(path) === w.messageId) return true;
        } else {
          if (!this.sums.has(path)) this.sums.set(path, await sha256File(path));
          if (this.sums.get(path) === w.sha256) return true;
        }
      } catch {
        // gone meanwhile (Dovecot renamed or expunged it): not a match
      }
    }
    return false;
  }
}
