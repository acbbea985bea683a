/**
 * Pure rules the engine's plan (link-plan.ts) and scan (scan.ts) build on: which new maildir name
 * is an old message renamed, and which paths the -R entries form covers. No I/O here.
 */

import { baseName } from '../../mailbox/maildir.js';

/** The part of a maildir message name before the flags (src/mailbox/maildir.ts holds the rule). */
export const maildirBase = baseName;

/**
 * Message paths of one mailbox, relative to its root (the INBOX maildir): `cur/<name>`,
 * `new/<name>`, `.Archive/cur/<name>`, … (Maildir++ keeps folders as `.Name` beside cur/).
 */
export interface MaildirListing {
  source: string[];
  clone: string[];
}

export interface Rename {
  /** paths relative to the mailbox, e.g. `new/123.M1P2.host,S=10` → `cur/123.M1P2.host,S=10:2,S` */
  from: string;
  to: string;
}

function byBase(paths: string[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const p of paths) {
    const base = maildirBase(p.slice(p.lastIndexOf('/') + 1));
    const list = m.get(base);
    if (list) list.push(p);
    else m.set(base, [p]);
  }
  return m;
}

/**
 * A message renamed in the source (flag change, new→cur, an IMAP MOVE to another folder of the
 * same mailbox, which keeps the file name) is linked from its old name in the previous snapshot
 * (`clone`: the previous names the source no longer has), so the new snapshot shares the inode.
 * Without this every read message would be stored again.
 *
 * Safe by construction: a rename only ever targets a name the previous snapshot lacks, and only
 * takes an old name that has gone from the source. A base that appears more than once among the
 * new source names is ambiguous and left to rsync (it copies). Content is not trusted blindly
 * either: the caller also compares size, mtime, mode and owner.
 */
export function planMaildirRenames(listing: MaildirListing): Rename[] {
  const sourceSet = new Set(listing.source);
  const cloneSet = new Set(listing.clone);
  // Only names on one side matter (about 1 % a day); no per-message maps for the rest.
  const cloneByBase = byBase(listing.clone.filter((p) => !sourceSet.has(p)));
  if (cloneByBase.size === 0) return [];
  const renames: Rename[] = [];
  for (const [base, paths] of byBase(listing.source.filter((p) => !cloneSet.has(p)))) {
    if (paths.length !== 1) continue;
    const target = paths[0];
    const candidates = cloneByBase.get(base);
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

/**
 * Entries form (config component): whether a path is one of the configured entries or inside
 * one (keep), on the way to one (descend), or outside them all (the scan skips it).
 * Returns 'keep' (an entry or inside one), 'descend' (an ancestor of an entry) or 'remove'.
 */
export function entryCoverage(path: string, entries: string[]): 'keep' | 'descend' | 'remove' {
  for (const e of entries) {
    if (path === e || path.startsWith(e + '/')) return 'keep';
  }
  for (const e of entries) if (e.startsWith(path + '/')) return 'descend';
  return 'remove';
}
