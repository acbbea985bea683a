/**
 * Reading a Maildir++ mailbox: its folders and its messages. INBOX is cur/ new/ directly in the
 * mailbox directory; every other folder is a ".Name.Sub" directory beside them.
 */
import { existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMutf7, encodeMutf7 } from './mutf7.js';

/** "Archive/2024" → ".Archive.2024"; INBOX is the mailbox root (""). */
export function folderDir(name: string): string {
  if (name === 'INBOX') return '';
  return '.' + name.split('/').map(encodeMutf7).join('.');
}

/** ".Archive.2024" → "Archive/2024"; "" → INBOX. */
export function folderName(dir: string): string {
  if (dir === '') return 'INBOX';
  return dir.replace(/^\./, '').split('.').map(decodeMutf7).join('/');
}

export type MessageSub = 'cur' | 'new';

export interface MessageFile {
  /** folder directory relative to the mailbox ("" = INBOX) */
  dir: string;
  sub: MessageSub;
  name: string;
  /** IMAP internal date */
  mtimeMs: number;
}

/**
 * The unique part of a message file name: everything before the flags — ":2," or, where the
 * filesystem cannot hold a colon, Dovecot's maildir_info_separator ";2," or "!2,". The one rule for
 * a message's identity: restore plans, the engine's rename plan and its completeness check use it.
 */
export function baseName(name: string): string {
  const i = name.search(/[:;!]2,/);
  return i < 0 ? name : name.slice(0, i);
}

/** A path whose last directory is a maildir's cur/ or new/: a message file (the engine's rename candidates). */
export function isMessagePath(path: string): boolean {
  const end = path.lastIndexOf('/');
  const start = path.lastIndexOf('/', end - 1) + 1;
  const sub = path.slice(start, end);
  return end > 0 && (sub === 'cur' || sub === 'new');
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Folder directories of a mailbox: "" for INBOX plus every ".Name" holding cur/. */
export function listFolderDirs(mailbox: string): string[] {
  if (!isDir(mailbox)) return [];
  const dirs = isDir(join(mailbox, 'cur')) ? [''] : [];
  for (const e of readdirSync(mailbox, { withFileTypes: true })) {
    if (e.isDirectory() && e.name.startsWith('.') && e.name !== '.' && e.name !== '..' && isDir(join(mailbox, e.name, 'cur'))) {
      dirs.push(e.name);
    }
  }
  return dirs.sort();
}

/** Messages of one folder (cur/ and new/; tmp/ holds deliveries in progress, never mail). */
export function listMessages(mailbox: string, dir: string): MessageFile[] {
  const out: MessageFile[] = [];
  for (const sub of ['cur', 'new'] as const) {
    const d = join(mailbox, dir, sub);
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      continue;
    }
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const st = lstatSync(join(d, name), { throwIfNoEntry: false });
      if (st?.isFile()) out.push({ dir, sub, name, mtimeMs: st.mtimeMs });
    }
  }
  return out;
}

/** Messages of a live folder by base name (empty when the folder does not exist). */
export function liveBaseNames(mailbox: string, dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(join(mailbox, dir))) return out;
  for (const m of listMessages(mailbox, dir)) out.set(baseName(m.name), m.name);
  return out;
}

/** Per-folder files Dovecot needs to keep UIDs and keyword letters meaning the same thing. */
export const FOLDER_METADATA = ['dovecot-uidlist', 'dovecot-keywords'] as const;
export const MAILBOX_METADATA = ['subscriptions', 'dovecot-uidvalidity'] as const;
