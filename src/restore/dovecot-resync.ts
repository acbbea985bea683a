/**
 * A mailbox copied out of a snapshot must make Dovecot look at its files again. The snapshot
 * holds Dovecot's index (dovecot.index*, dovecot-uidlist) as it was at one moment of a live run,
 * and the message files of slightly other moments (renames, the completeness check). Dovecot
 * trusts its index while a folder's cur/ and new/ mtimes equal the ones the index recorded —
 * rsync restores exactly those mtimes — and would then show one message too few or too many.
 * Setting cur/ and new/ to the time of the restore makes Dovecot resync each folder against its
 * files on first access: UIDs stay (dovecot-uidlist), flags are in the file names, nothing is lost.
 */
import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { isMissing, mailboxesUnder } from '../mailbox/walk.js';

/** Marks every maildir folder under `mailRoot` as changed now; returns how many folders. */
export function markMaildirsForResync(mailRoot: string, now = new Date()): number {
  let folders = 0;
  for (const mb of mailboxesUnder(mailRoot)) {
    for (const f of mb.folders) {
      for (const sub of ['cur', 'new']) {
        try {
          utimesSync(join(mailRoot, mb.rel, f, sub), now, now);
        } catch (err) {
          if (!isMissing(err)) throw err;
        }
      }
      folders++;
    }
  }
  return folders;
}
