/**
 * Pure decisions of the reconcile step (SPEC §6): what to rename and what to unlink inside the
 * hardlink clone before rsync runs. No I/O here; reconcile.ts feeds listings and stats in.
 */

/** The part of a maildir message name before the flags (`:2,` — or `;2,` where the colon is mapped). */
export function maildirBase(name: string): string {
  const i = name.search(/[:;]2,/);
  return i < 0 ? name : name.slice(0, i);
}

/** Names of one maildir folder's messages, as `cur/<name>` / `new/<name>`. */
export interface MaildirListing {
  source: string[];
  clone: string[];
}

export interface Rename {
  /** paths relative to the maildir folder, e.g. `new/123.M1P2.host,S=10` → `cur/123.M1P2.host,S=10:2,S` */
  from: string;
  to: string;
}

function byBase(paths: string[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const p of paths) {
    const base = maildirBase(p.slice(p.indexOf('/') + 1));
    const list = m.get(base);
    if (list) list.push(p);
    else m.set(base, [p]);
  }
  return m;
}

/**
 * A message renamed in the source (flag change, new→cur) is renamed the same way in the clone,
 * so rsync finds it in place (same size and mtime: no transfer) and the new snapshot shares the
 * inode with the previous one. Without this every read message would be stored again.
 *
 * Safe by construction: a rename only ever targets a name the clone lacks, and only takes a
 * clone file whose name has gone from the source (rsync would delete it anyway). A base that
 * appears more than once in the source is ambiguous and left to rsync (it copies).
 * Content is not trusted blindly either: rsync still compares size and mtime afterwards.
 */
export function planMaildirRenames(listing: MaildirListing): Rename[] {
  const sourceSet = new Set(listing.source);
  const cloneSet = new Set(listing.clone);
  const cloneByBase = byBase(listing.clone.filter((p) => !sourceSet.has(p)));
  const renames: Rename[] = [];
  for (const [base, paths] of byBase(listing.source)) {
    if (paths.length !== 1) continue;
    const target = paths[0];
    if (cloneSet.has(target)) continue;
    const candidates = cloneByBase.get(base);
    if (!candidates || candidates.length === 0) continue;
    // prefer a candidate in the same subdirectory (a flag change) over a new→cur move
    const dir = target.slice(0, target.indexOf('/') + 1);
    const idx = Math.max(0, candidates.findIndex((c) => c.startsWith(dir)));
    const [from] = candidates.splice(idx, 1);
    renames.push({ from, to: target });
  }
  return renames;
}

export type EntryKind = 'file' | 'dir' | 'symlink' | 'other';

/** The few stat fields the decision needs (from lstat, never following symlinks). */
export interface EntryStat {
  kind: EntryKind;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

/**
 * keep   — rsync will leave the clone entry alone, or replace it by a new inode (content or type
 *          changed: rsync writes a temp file and renames it over; the shared inode is untouched).
 * unlink — rsync would change this shared inode IN PLACE (chmod, lchown, lutimes): remove it
 *          from the clone so rsync writes a fresh inode (invariant 3).
 * check  — same size, mtime, mode and owner, but the source's attributes changed since the
 *          previous snapshot started: ACLs or xattrs may differ, which only rsync can tell
 *          (a --dry-run over these candidates decides).
 */
export type AttrAction = 'keep' | 'unlink' | 'check';

/** Source attributes unchanged since before the previous snapshot started: the clone has them. */
export function sourceUnchangedSince(src: EntryStat, changedSinceMs: number): boolean {
  return src.ctimeMs < changedSinceMs;
}

// rsync's quick check compares mtime in whole seconds (measured on rsync 3.5: a sub-second
// difference neither transfers nor touches the file), so compare the same way.
const sec = (ms: number) => Math.floor(ms / 1000);

export function attributeAction(src: EntryStat, clone: EntryStat | undefined, changedSinceMs: number): AttrAction {
  if (!clone) return 'keep';
  // directories are created fresh by cp -al (never shared); a type change means rsync recreates
  if (src.kind === 'dir' || clone.kind === 'dir' || src.kind !== clone.kind) return 'keep';
  if (src.kind === 'file' && (src.size !== clone.size || sec(src.mtimeMs) !== sec(clone.mtimeMs))) return 'keep';
  if (src.uid !== clone.uid || src.gid !== clone.gid) return 'unlink';
  // a symlink's mode is meaningless on Linux, but its mtime is set in place (lutimes)
  if (src.kind !== 'symlink' && (src.mode & 0o7777) !== (clone.mode & 0o7777)) return 'unlink';
  if (src.kind !== 'file' && sec(src.mtimeMs) !== sec(clone.mtimeMs)) return 'unlink';
  return sourceUnchangedSince(src, changedSinceMs) ? 'keep' : 'check';
}

/**
 * An itemized line of the --dry-run that means "attributes only, in place": the first column is
 * `.` (no transfer) and some attribute column is set. Directories are not shared, so skipped.
 */
export function isInPlaceChange(code: string): boolean {
  return code[0] === '.' && code[1] !== 'd' && /[^. ]/.test(code.slice(2));
}

/**
 * Entries form (config component): clone paths that no configured entry covers any more
 * (an entry removed from the config) must go, since rsync -R only visits the entries.
 * Returns 'keep' (an entry or inside one), 'descend' (an ancestor of an entry) or 'remove'.
 */
export function entryCoverage(path: string, entries: string[]): 'keep' | 'descend' | 'remove' {
  for (const e of entries) {
    if (path === e || path.startsWith(e + '/')) return 'keep';
  }
  for (const e of entries) if (e.startsWith(path + '/')) return 'descend';
  return 'remove';
}
