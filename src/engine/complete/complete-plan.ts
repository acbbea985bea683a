/**
 * Pure decision of the completeness check (complete.ts): after rsync, which messages of one
 * mailbox are missing from the snapshot, and which the snapshot holds twice in one folder.
 *
 * Why it is needed: rsync reads each directory once. A message Dovecot renames after rsync listed
 * it vanishes (rsync says so, exit 24); one that moves from a directory rsync has not read yet into
 * one it has already read (new/ → cur/, an IMAP MOVE between folders) is seen under neither name,
 * and nothing reports it. Comparing by message identity — the maildir base name, the part before
 * the flags — per folder, against a fresh listing, finds both.
 */
import { baseName } from '../../mailbox/maildir.js';

export interface CompletionPlan {
  /** source paths (relative to the mailbox) whose message the snapshot's folder lacks */
  copy: string[];
  /** snapshot paths that duplicate a message already kept in the same folder */
  remove: string[];
}

/** `cur/x`, `new/x` → ''; `.Archive/cur/x` → '.Archive' */
export function folderOf(path: string): string {
  const dir = path.slice(0, path.lastIndexOf('/'));
  const up = dir.lastIndexOf('/');
  return up < 0 ? '' : dir.slice(0, up);
}

const baseOf = (path: string) => baseName(path.slice(path.lastIndexOf('/') + 1));

/**
 * `source`: a listing of the live mailbox now; `snapshot`: the same mailbox in the snapshot.
 * A message counts as present when its base name is anywhere in the mailbox: one moved to another
 * folder after rsync read it is kept where rsync saw it (the state of a moment, once). Only a
 * message missing from every folder is copied, into the folder it is in now. Of duplicates in one
 * folder (cur/ or new/) the snapshot keeps the name the source has now, else the first in byte order.
 */
export function planCompletion(source: string[], snapshot: string[]): CompletionPlan {
  const sourceSet = new Set(source);
  const kept = new Map<string, string>(); // folder + base → the name kept
  const present = new Set<string>(); // bases anywhere in the snapshot's mailbox
  const remove: string[] = [];
  for (const p of [...snapshot].sort()) {
    const base = baseOf(p);
    present.add(base);
    const key = `${folderOf(p)}\0${base}`;
    const have = kept.get(key);
    if (have === undefined) {
      kept.set(key, p);
    } else if (!sourceSet.has(have) && sourceSet.has(p)) {
      remove.push(have);
      kept.set(key, p);
    } else {
      remove.push(p);
    }
  }
  const copy: string[] = [];
  for (const p of source) {
    const base = baseOf(p);
    if (present.has(base)) continue;
    present.add(base); // a listing caught mid-rename may show one message twice: copy it once
    copy.push(p);
  }
  return { copy, remove };
}

/**
 * Dovecot sometimes gives a message a new base name when it moves it (a copy, not a hardlink):
 * moved out of a folder and back during the run, one message can sit in the snapshot's folder
 * under its old name (rsync read it) and its new one (copied since) — and by the end of the run it
 * may have new flags, or have left the folder again. Such pairs are found by content, among the
 * names of one folder and one size of which at least one is "stale": its base name is no longer in
 * the live folder. The caller splits each group into byte-identical classes (sameBytes) and
 * removes what duplicateRemovals names.
 */
export interface SizeGroup {
  /** snapshot names whose base the live folder still has */
  live: string[];
  /** snapshot names whose base it no longer has */
  stale: string[];
}

export function staleDuplicateGroups(source: string[], snapshot: string[], sizeOf: (path: string) => number | undefined): SizeGroup[] {
  const liveBases = new Set(source.map((p) => `${folderOf(p)}\0${baseOf(p)}`));
  const groups = new Map<string, SizeGroup>();
  for (const p of [...snapshot].sort()) {
    const size = sizeOf(p);
    if (size === undefined) continue;
    const key = `${folderOf(p)}\0${size}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { live: [], stale: [] }));
    (liveBases.has(`${folderOf(p)}\0${baseOf(p)}`) ? g.live : g.stale).push(p);
  }
  return [...groups.values()].filter((g) => g.stale.length > 0 && g.live.length + g.stale.length > 1);
}

/**
 * Of one class of byte-identical names in one folder: every live name stays (two identical live
 * messages are two messages); stale names are copies of a message the folder already holds and
 * go — all of them when a live name holds the message, all but the first when none does (the
 * message left the folder after its second copy was taken: it stays once, as rsync saw it).
 */
export function duplicateRemovals(cls: SizeGroup): string[] {
  return cls.live.length > 0 ? [...cls.stale] : cls.stale.slice(1);
}
