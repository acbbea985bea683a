/**
 * messages.index: one line per message file of a snapshot's mail, beside manifest.sha256
 * (docs/on-disk-format.md). Plain UTF-8 TSV, sorted by path in byte order (the manifest's
 * order), header text already decoded, so `grep 請求書 messages.index` and `awk -F'\t'` work.
 * messages.index.sha256 (`sha256sum -c` format) lets verify, and anyone, check it.
 */
import { join } from 'node:path';
import { escapeField, unescapeField } from './manifest-format.js';

export const MESSAGE_INDEX = 'messages.index';
export const MESSAGE_INDEX_SUM = 'messages.index.sha256';
export const MESSAGE_INDEX_HEADER = '#mailbackup-messages 1\tpath\tuser\tfolder\tsha256\tsize\tdelivered\tmessage-id\tfrom\tto\tsubject\n';
/** a header field longer than this is cut (a To: with hundreds of recipients) */
const FIELD_MAX = 1000;

export interface MessageEntry {
  /** relative to the snapshot root, e.g. mail/vmail/example.com/alice@example.com/cur/1.M1:2,S */
  path: string;
  user: string;
  /** folder name as IMAP shows it (INBOX, Archive/2024, 日本語) */
  folder: string;
  sha256: string;
  size: number;
  /** delivery time (the message file's mtime, IMAP's internal date), ms since the epoch */
  deliveredMs: number;
  messageId: string;
  from: string;
  to: string;
  subject: string;
}

export const messageIndexPath = (snap: string) => join(snap, MESSAGE_INDEX);
export const messageIndexSumPath = (snap: string) => join(snap, MESSAGE_INDEX_SUM);

const field = (s: string) => escapeField(s.length > FIELD_MAX ? s.slice(0, FIELD_MAX) : s);

export function formatMessageLine(e: MessageEntry): string {
  const delivered = new Date(Math.floor(e.deliveredMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  return [e.path, e.user, e.folder, e.sha256, String(e.size), delivered, e.messageId, e.from, e.to, e.subject].map(field).join('\t') + '\n';
}

/** The path of a line (its first field), unescaped: what the file is sorted by. */
export function messageLinePath(line: string): string {
  const t = line.indexOf('\t');
  return unescapeField(t < 0 ? line : line.slice(0, t));
}

/** undefined for the header line, a comment or a line that is not laid out as MESSAGE_INDEX_HEADER says */
export function parseMessageLine(line: string): MessageEntry | undefined {
  if (line === '' || line.startsWith('#')) return undefined;
  const f = line.split('\t');
  if (f.length !== 10) return undefined;
  const [path, user, folder, sha256, size, delivered, messageId, from, to, subject] = f.map(unescapeField);
  const deliveredMs = Date.parse(delivered);
  if (sha256.length !== 64 || Number.isNaN(deliveredMs)) return undefined;
  return { path, user, folder, sha256, size: Number(size), deliveredMs, messageId, from, to, subject };
}
