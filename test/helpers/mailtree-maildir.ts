/**
 * Maildir++ mailboxes as Dovecot leaves them: INBOX at the top (cur/new/tmp), one dot-directory
 * per folder with a `maildirfolder` file, dovecot-uidlist, dovecot.index*, subscriptions,
 * maildirsize; plus the user's Sieve scripts with the active one as a symlink (managesieve).
 */
import { appendFileSync, chownSync, lchownSync, mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeMessage, withFlags } from './mailtree-message.js';
import type { Rng } from './prng.js';

export const VMAIL_UID = 5000;
export const VMAIL_GID = 5000;

/** Display name → Maildir++ directory ('' = INBOX). "日本語" is modified UTF-7. */
export const FOLDERS: { name: string; dir: string }[] = [
  { name: 'INBOX', dir: '' },
  { name: 'Sent', dir: '.Sent' },
  { name: 'Drafts', dir: '.Drafts' },
  { name: 'Trash', dir: '.Trash' },
  { name: 'Archive', dir: '.Archive' },
  { name: 'Archive/2024', dir: '.Archive.2024' },
  { name: '日本語', dir: '.&ZeVnLIqe-' },
];

export interface FolderInfo {
  name: string;
  /** absolute path of the folder's maildir (holds cur/ new/ tmp/) */
  dir: string;
  messages: number;
}

export interface Owner {
  chown: boolean;
}

function own(path: string, owner: Owner, uid = VMAIL_UID, gid = VMAIL_GID): void {
  if (owner.chown) lchownSync(path, uid, gid);
}

export function mkdirOwned(path: string, mode: number, owner: Owner, uid = VMAIL_UID, gid = VMAIL_GID): void {
  mkdirSync(path, { recursive: true, mode });
  if (owner.chown) chownSync(path, uid, gid);
}

export function writeOwned(path: string, data: string | Buffer, mode: number, owner: Owner, mtime?: number, uid = VMAIL_UID, gid = VMAIL_GID): void {
  writeFileSync(path, data, { mode });
  if (owner.chown) chownSync(path, uid, gid);
  if (mtime !== undefined) utimesSync(path, mtime, mtime);
}

/** Dovecot's binary index files: only their presence, size and change matter to a backup. */
function indexBytes(rng: Rng, size: number): Buffer {
  const b = rng.bytes(size);
  b.write('\x07\x03DOVECOT-INDEX', 0, 'latin1');
  return b;
}

function writeIndexes(dir: string, rng: Rng, owner: Owner, mtime: number, list = false): void {
  const names = ['dovecot.index', 'dovecot.index.cache', 'dovecot.index.log'];
  if (list) names.push('dovecot.list.index', 'dovecot.list.index.log');
  for (const n of names) writeOwned(join(dir, n), indexBytes(rng, rng.int(512, 8192)), 0o600, owner, mtime);
}

export interface MailboxOptions {
  address: string;
  mailbox: string;
  messagesPerFolder: number;
  /** seconds: messages are spread over the 400 days before this */
  until: number;
  attachmentFraction: number;
}

export function generateMailbox(rng: Rng, o: MailboxOptions, owner: Owner): FolderInfo[] {
  mkdirOwned(o.mailbox, 0o700, owner);
  const folders: FolderInfo[] = [];
  for (const f of FOLDERS) {
    const dir = f.dir ? join(o.mailbox, f.dir) : o.mailbox;
    for (const sub of ['', 'cur', 'new', 'tmp']) mkdirOwned(join(dir, sub), 0o700, owner);
    if (f.dir) writeOwned(join(dir, 'maildirfolder'), '', 0o600, owner, o.until - 400 * 86400);
    const count = Math.max(0, o.messagesPerFolder + rng.int(-2, 2));
    const uids: string[] = [];
    const times = Array.from({ length: count }, () => o.until - rng.int(3600, 400 * 86400)).sort((a, b) => a - b);
    for (const [i, time] of times.entries()) {
      const m = makeMessage(rng, o.address, time, o.attachmentFraction);
      // The newest INBOX mail may still be unseen in new/; everything else was read by a client.
      const fresh = f.name === 'INBOX' && i >= count - 3 && rng.chance(0.7);
      const flags = f.name === 'Drafts' ? 'DS' : f.name === 'Trash' ? 'ST' : rng.pick(['S', 'S', 'S', 'RS', 'FS', '']);
      const path = fresh ? join(dir, 'new', m.base) : join(dir, 'cur', withFlags(m.base, flags));
      writeOwned(path, m.content, 0o600, owner, m.time);
      uids.push(`${uids.length + 1} :${m.base}`);
    }
    const validity = o.until - 500 * 86400 + FOLDERS.indexOf(f);
    const uidlist = `3 V${validity} N${uids.length + 1} G${rng.hex(16)}\n${uids.map((u) => u + '\n').join('')}`;
    writeOwned(join(dir, 'dovecot-uidlist'), uidlist, 0o600, owner, o.until - 3600);
    writeIndexes(dir, rng, owner, o.until - 3600, f.dir === '');
    folders.push({ name: f.name, dir, messages: count });
  }
  writeOwned(join(o.mailbox, 'dovecot-uidvalidity'), `${(o.until - 500 * 86400).toString(16)}\n`, 0o600, owner, o.until - 500 * 86400);
  const subscriptions = FOLDERS.filter((f) => f.dir).map((f) => f.name);
  writeOwned(join(o.mailbox, 'subscriptions'), `V\t2\n\n${subscriptions.join('\n')}\n`, 0o600, owner, o.until - 86400 * 30);
  writeOwned(join(o.mailbox, 'maildirsize'), `1073741824S\n${rng.int(100000, 9000000)} ${folders.reduce((n, f) => n + f.messages, 0)}\n`, 0o600, owner, o.until - 3600);
  return folders;
}

/** sieve/<domain>/<user>/: scripts plus `.dovecot.sieve` → the active one, as managesieve keeps it. */
export function generateSieve(dir: string, address: string, owner: Owner, mtime: number): void {
  mkdirOwned(dir, 0o700, owner);
  const vacation = `require ["vacation"];\n# 休暇中の自動応答\nvacation :days 7 :subject "Out of office / 不在のお知らせ" "I am away until Monday.";\n`;
  const filters = `require ["fileinto", "mailbox"];\n# ${address}\nif header :contains "X-Spam-Flag" "YES" {\n  fileinto :create "Junk";\n  stop;\n}\nif address :domain "from" "example.jp" {\n  fileinto "日本語";\n}\n`;
  writeOwned(join(dir, 'roundcube.sieve'), filters, 0o600, owner, mtime);
  writeOwned(join(dir, 'vacation.sieve'), vacation, 0o600, owner, mtime);
  symlinkSync('roundcube.sieve', join(dir, '.dovecot.sieve'));
  own(join(dir, '.dovecot.sieve'), owner);
}

/** Touches Dovecot's transaction log the way every IMAP session does. */
export function appendIndexLog(folderDir: string, rng: Rng): void {
  appendFileSync(join(folderDir, 'dovecot.index.log'), rng.bytes(rng.int(64, 512)));
}
