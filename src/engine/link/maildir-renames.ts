/**
 * Which new maildir name is an old message renamed (deferred.ts links it from the old name).
 * Pure: no I/O here.
 */
import { baseName } from '../../mailbox/maildir.js';

/**
 * Message paths of one mailbox, relative to its root (the INBOX maildir): `cur/<name>`,
 * `new/<name>`, `.Archive/cur/<name>`, … (Maildir++ keeps folders as `.Name` beside cur/).
 */
export interface MaildirListing {
  source: string[];
  /** the previous snapshot's names the source no longer has */
  previous: string[];
}

export interface Rename {
  /** paths relative to the mailbox, e.g. `new/123.M1P2.host,S=10` → `cur/123.M1P2.host,S=10:2,S` */
  from: string;
  to: string;
}

function byBase(paths: string[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const p of paths) {
    const base = baseName(p.slice(p.lastIndexOf('/') + 1));
    const list = m.get(base);
    if (list) list.push(p);
    else m.set(base, [p]);
  }
  return m;
}

/**
 * A message renamed in the source (flag change, new→cur, an IMAP MOVE to another folder of the
 * same mailbox, which keeps the file name) is linked from its old name in the previous snapshot
 * (`previous`: its names the source no longer has), so the new snapshot shares the inode.
 * Without this every read message would be stored again.
 *
 * Safe by construction: a rename only ever targets a name the previous snapshot lacks, and only
 * takes an old name that has gone from the source. A base that appears more than once among the
 * new source names is ambiguous and left to rsync (it copies). Content is not trusted blindly
 * either: the caller also compares size, mtime, mode and owner.
 */
export function planMaildirRenames(listing: MaildirListing): Rename[] {
  const sourceSet = new Set(listing.source);
  const previousSet = new Set(listing.previous);
  // Only names on one side matter (about 1 % a day); no per-message maps for the rest.
  const previousByBase = byBase(listing.previous.filter((p) => !sourceSet.has(p)));
  if (previousByBase.size === 0) return [];
  const renames: Rename[] = [];
  for (const [base, paths] of byBase(listing.source.filter((p) => !previousSet.has(p)))) {
    if (paths.length !== 1) continue;
    const target = paths[0];
    const candidates = previousByBase.get(base);
    if (!candidates || candidates.length === 0) continue;
    // prefer the same directory (a flag change), then the same folder (new→cur), then any
    const dir = target.slice(0, target.lastIndexOf('/') + 1);
    const folder = dir.slice(0, dir.slice(0, -1).lastIndexOf('/') + 1);
    let idx = candidates.findIndex((c) => c.startsWith(dir) && !c.includes('/', dir.length));
    if (idx < 0) idx = candidates.findIndex((c) => c.startsWith(folder) && c.split('/').length === dir.split('/').length);
    if (idx < 0) idx = 0;
    const [from] = candidates.splice(idx, 1);
    renames.push({ from, to: target });
  }
  return renames;
}
