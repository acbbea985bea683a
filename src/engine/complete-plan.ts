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
import { maildirBase } from './reconcile-plan.js';

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

const baseOf = (path: string) => maildirBase(path.slice(path.lastIndexOf('/') + 1));

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
 * under its old name (rsync read it) and its new one (copied since). Such pairs are found by
 * content, and only among names the live folder no longer has: for each of those "stale" names,
 * the names of the same folder and size that the live folder does have. The caller compares the
 * bytes and drops the stale copy of an identical message (two live copies stay two).
 */
export function staleDuplicateCandidates(source: string[], snapshot: string[], sizeOf: (path: string) => number | undefined): { stale: string; live: string[] }[] {
  const sourceSet = new Set(source);
  const liveBySize = new Map<string, string[]>();
  const stale: string[] = [];
  for (const p of snapshot) if (!sourceSet.has(p)) stale.push(p);
  if (stale.length === 0) return [];
  for (const p of snapshot) {
    if (!sourceSet.has(p)) continue;
    const size = sizeOf(p);
    if (size === undefined) continue;
    const key = `${folderOf(p)}\0${size}`;
    const list = liveBySize.get(key);
    if (list) list.push(p);
    else liveBySize.set(key, [p]);
  }
  const out: { stale: string; live: string[] }[] = [];
  for (const s of stale) {
    const size = sizeOf(s);
    const live = size === undefined ? undefined : liveBySize.get(`${folderOf(s)}\0${size}`);
    if (live?.length) out.push({ stale: s, live });
  }
  return out;
}
