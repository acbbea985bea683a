/**
 * Which files of a mail store are messages, and whose: a path under vmail/ split by the mailbox
 * layout into user, folder and file. The message index and `find --deleted` use this one rule.
 */
import type { MailboxLayout } from './layout.js';
import { folderName } from './maildir.js';

export interface MessagePath {
  /** as the tree says: local@domain (for %n only the local part) */
  user: string;
  /** the user's maildir relative to vmail/ */
  maildir: string;
  /** folder directory in the maildir ('' = INBOX, '.Sent') */
  dir: string;
  folder: string;
  sub: 'cur' | 'new';
  name: string;
}

/** `rel` is relative to vmail/ (source.mailboxRoot); undefined when it is not a message file. */
export function messageOfPath(rel: string, l: MailboxLayout): MessagePath | undefined {
  const parts = rel.split('/');
  const homeDepth = l.base === '%d/%u' || l.base === '%d/%n' ? 2 : 1;
  const inner = l.maildir ? l.maildir.split('/') : [];
  const depth = homeDepth + inner.length;
  // <home>[/<maildir>][/.Folder]/(cur|new)/<name>
  const rest = parts.length - depth;
  if (rest !== 2 && rest !== 3) return undefined;
  for (let i = 0; i < inner.length; i++) if (parts[homeDepth + i] !== inner[i]) return undefined;
  const sub = parts[parts.length - 2];
  const name = parts[parts.length - 1];
  if ((sub !== 'cur' && sub !== 'new') || name.startsWith('.') || name === '') return undefined;
  const dir = rest === 3 ? parts[depth] : '';
  if (rest === 3 && (!dir.startsWith('.') || dir === '.' || dir === '..')) return undefined;
  if (parts.slice(0, homeDepth).some((p) => p === '' || p.startsWith('.'))) return undefined;
  const user = l.base === '%d/%n' ? `${parts[1]}@${parts[0]}` : l.base === '%d/%u' ? parts[1] : parts[0];
  return { user, maildir: parts.slice(0, depth).join('/'), dir, folder: folderName(dir), sub, name };
}
