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

function messageKey(path: string): string {
  return `${folderOf(path)}\0${maildirBase(path.slice(path.lastIndexOf('/') + 1))}`;
}

/**
 * `source`: a listing of the live mailbox now; `snapshot`: the same mailbox in the snapshot.
 * A message counts as present when its base name is anywhere in the mailbox: one moved to another
 * folder after rsync read it is kept where rsync saw it (the state of a moment, once). Only a
 * message missing from every folder is copied, into the folder it is in now. Of duplicates in one
 * folder (cur/ or new/) the snapshot keeps the name the source has now, else the first in byte order.
 */
export function planCompletion(source: string[], snapshot: string[]): CompletionPlan {
  const sourceSet = new Set(source);
  const kept = new Map<string, string>();
  const remove: string[] = [];
  for (const p of [...snapshot].sort()) {
    const key = messageKey(p);
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
  const present = new Set([...kept.keys()].map((k) => k.slice(k.indexOf('\0') + 1)));
  const copy: string[] = [];
  for (const p of source) {
    const base = maildirBase(p.slice(p.lastIndexOf('/') + 1));
    if (present.has(base)) continue;
    present.add(base); // a listing caught mid-rename may show one message twice: copy it once
    copy.push(p);
  }
  return { copy, remove };
}
