/**
 * Where the maildirs are inside a mail component, found by their shape: a directory holding both
 * cur/ and new/ is a mailbox (its INBOX), and its `.Name` subdirectories are its Maildir++ folders.
 * The engine's rename plan and completeness check, and the resync after a restore, walk this way.
 *
 * Only directories are read, never stat'ed file by file: readdir with file types is what a walk
 * of a 1,000,000-message store can afford. Directories that vanish meanwhile are skipped: a folder
 * deleted over IMAP during the run is normal.
 */
import { readdirSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { InterruptedError } from '../errors.js';

export interface MailboxDir {
  /** the mailbox (INBOX maildir) relative to the component root; '' when the root is one */
  rel: string;
  /** '' for the INBOX itself, then its `.Folder` subdirectories */
  folders: string[];
}

export function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function namesOrEmpty(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (err) {
    if (isMissing(err)) return [];
    throw err;
  }
}

/** Every mailbox under `root` (or under each of `starts`, paths relative to root). */
export function* mailboxesUnder(root: string, starts: string[] = [''], signal?: AbortSignal): Generator<MailboxDir> {
  const stack = starts.slice();
  while (stack.length > 0) {
    if (signal?.aborted) throw new InterruptedError();
    const rel = stack.pop()!;
    let dirents: Dirent[];
    try {
      dirents = readdirSync(join(root, rel), { withFileTypes: true });
    } catch (err) {
      if (isMissing(err)) continue; // a file entry, or a folder deleted meanwhile
      throw err;
    }
    const subdirs = dirents.filter((d) => d.isDirectory()).map((d) => d.name);
    const isMailbox = subdirs.includes('cur') && subdirs.includes('new');
    if (isMailbox) yield { rel, folders: ['', ...subdirs.filter((n) => n.startsWith('.'))] };
    for (const name of subdirs) {
      // cur/new/tmp hold messages only, and Maildir++ folders do not nest: nothing more to find
      if (isMailbox && (name === 'cur' || name === 'new' || name === 'tmp' || name.startsWith('.'))) continue;
      stack.push(rel ? `${rel}/${name}` : name);
    }
  }
}

/** `cur/<name>`, `new/<name>`, `.Folder/cur/<name>` … of one mailbox, relative to it. */
export function folderMessages(root: string, mailbox: MailboxDir): string[] {
  return mailbox.folders.flatMap((f) =>
    ['cur', 'new'].flatMap((sub) => {
      const dir = f ? `${f}/${sub}` : sub;
      return namesOrEmpty(join(root, mailbox.rel, dir)).map((n) => `${dir}/${n}`);
    }),
  );
}
