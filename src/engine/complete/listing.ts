/**
 * Everything the completeness check reads of the mail store and of the snapshot, in one place:
 * which mailboxes changed since the scan read them, and each one's messages on both sides. The
 * check (complete.ts) plans from these listings (complete-plan.ts) and never lists on its own.
 */
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { folderMessages, isMissing, mailboxesUnder, type MailboxDir } from '../../mailbox/walk.js';

/** A directory as the scan saw it: its mtime, and Date.now() just after the scan's lstat of it, before its listing. */
export interface SeenDir {
  mtimeMs: number;
  at: number;
}

// mtimes come from the kernel's coarse clock; a change in the second before `since` counts too
const CLOCK_SLACK_MS = 2000;
const FINE_SLACK_MS = 50;

const folderDirs = (mb: MailboxDir) => ['', ...mb.folders.flatMap((f) => [f ? `${f}/cur` : 'cur', f ? `${f}/new` : 'new'])];

function dirMtimes(root: string, mb: MailboxDir): number[] {
  const out: number[] = [];
  for (const dir of folderDirs(mb)) {
    try {
      // a rename into or out of a directory moves its mtime (ctime would also move on a chmod)
      out.push(lstatSync(join(root, mb.rel, dir)).mtimeMs);
    } catch (err) {
      if (!isMissing(err)) throw err;
      out.push(-1);
    }
  }
  return out;
}

// A filesystem with sub-second stamps needs only the coarse clock's lag; whole seconds (ext3,
// some network filesystems) may hide a second change within the same second.
const slackFor = (mtimeMs: number) => (mtimeMs % 1000 === 0 ? CLOCK_SLACK_MS : FINE_SLACK_MS);

function changed(root: string, mb: MailboxDir, since: number, seen: ReadonlyMap<string, SeenDir> | undefined): boolean {
  const now = dirMtimes(root, mb);
  if (!seen) return now.some((t) => t < 0 || t >= since - CLOCK_SLACK_MS);
  return folderDirs(mb).some((dir, i) => {
    const s = seen.get(mb.rel ? (dir ? `${mb.rel}/${dir}` : mb.rel) : dir);
    return !s || now[i] !== s.mtimeMs || s.mtimeMs >= s.at - slackFor(s.mtimeMs);
  });
}

/** A listing during which no directory of the mailbox changed (or the last of three tries). */
function stableListing(root: string, mb: MailboxDir): string[] {
  let names: string[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const before = dirMtimes(root, mb).join(',');
    names = folderMessages(root, mb);
    if (dirMtimes(root, mb).join(',') === before) break;
  }
  return names;
}

/** the mailboxes with a folder directory changed since the scan read it (or since the run started) */
export function activeMailboxes(input: { srcRoot: string; entries?: string[]; signal?: AbortSignal; since: number; seen?: ReadonlyMap<string, SeenDir> }): MailboxDir[] {
  return [...mailboxesUnder(input.srcRoot, input.entries, input.signal)].filter((mb) => changed(input.srcRoot, mb, input.since, input.seen));
}

/** one mailbox's messages (paths relative to it) in the live store, listed until it holds still, and in the snapshot */
export function listMailbox(input: { srcRoot: string; dest: string }, mb: MailboxDir): { live: string[]; snapshot: string[] } {
  return { live: stableListing(input.srcRoot, mb), snapshot: folderMessages(input.dest, mb) };
}
