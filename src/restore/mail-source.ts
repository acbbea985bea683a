/**
 * Where `restore mail` reads and writes: the user's mailbox in the snapshot (found through the
 * mailbox layout, so ALICE@ finds alice@), its folders (or the one --folder names), the live
 * mailbox it corresponds to, and the Dovecot metadata files that go with them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sourcePath } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { UsageError } from '../errors.js';
import { resolveLayout } from '../mailbox/detect.js';
import { findMailbox, formatLayout, listMailboxes, vmailDir } from '../mailbox/layout.js';
import { FOLDER_METADATA, MAILBOX_METADATA, listFolderDirs } from '../mailbox/maildir.js';
import { layout } from '../repository/layout.js';
import type { Snapshot } from '../repository/snapshots.js';
import { folderDir, folderName, matchFolder, suggest, type Address } from './names.js';

export interface MailSource {
  /** the stored spelling of the address (a %n tree holds no domain: the typed one) */
  user: string;
  /** the mailbox's directory under the layout root, e.g. example.com/alice */
  maildir: string;
  /** how the admin sees it: mailboxRoot/maildir */
  shown: string;
  layoutName: string;
  snapMailbox: string;
  liveMailRoot: string;
  liveMailbox: string;
  /** the folder directories to restore: every one, or the one --folder names */
  folders: string[];
}

export function locateMailbox(config: Config, snap: Snapshot, addr: Address, folder: string | undefined): MailSource {
  const snapVmail = vmailDir(layout.component(snap.dir, 'mail'), config.source.mailboxRoot);
  const boxLayout = resolveLayout(config.source.mailboxLayout, snapVmail);
  const found = findMailbox(snapVmail, boxLayout, addr);
  if (!found) {
    const known = listMailboxes(snapVmail, boxLayout).map((e) => e.user);
    throw new UsageError(`no mailbox ${addr.address} in snapshot ${snap.id} (layout ${formatLayout(boxLayout)})${suggest(addr.address, known)}`);
  }
  const snapMailbox = join(snapVmail, found.maildir);
  // the stored spelling (ALICE@ typed, alice@ stored); a %n tree holds no domain: keep the typed one
  const user = found.user.includes('@') ? found.user : addr.address;
  const liveMailRoot = sourcePath(config, config.source.mail);
  const snapFolders = listFolderDirs(snapMailbox);
  const folders = folder
    ? [folderDir(matchFolder(folder, snapFolders.map(folderName), `mailbox ${user} in snapshot ${snap.id}`))]
    : snapFolders;
  return {
    user,
    maildir: found.maildir,
    shown: join(config.source.mailboxRoot, found.maildir),
    layoutName: formatLayout(boxLayout),
    snapMailbox,
    liveMailRoot,
    liveMailbox: join(vmailDir(liveMailRoot, config.source.mailboxRoot), found.maildir),
    folders,
  };
}

/** The Dovecot metadata files of the folders (and of the mailbox, when all of it is restored) that the snapshot holds. */
export function metadataFiles(mailbox: string, folders: string[], whole: boolean): string[] {
  const out: string[] = [];
  for (const d of folders) for (const f of FOLDER_METADATA) if (existsSync(join(mailbox, d, f))) out.push(join(d, f));
  if (whole) for (const f of MAILBOX_METADATA) if (existsSync(join(mailbox, f))) out.push(f);
  return out;
}
