/**
 * What `find` and `restore mail` by filter select, as plain data, and the one matching rule:
 * decoded header text, case-insensitive substrings; --user and --folder whole names (any case);
 * --message-id whole, angle brackets optional; --since/--until the delivery date.
 */
import type { MessageEntry } from '../repository/message-index.js';

export interface FindFilters {
  user?: string;
  folder?: string;
  from?: string;
  to?: string;
  subject?: string;
  messageId?: string;
  /** ms since the epoch, inclusive */
  since?: number;
  /** ms since the epoch, exclusive */
  until?: number;
}

/** The same text for every comparison: NFKC (full-width Ｉｎｖｏｉｃｅ = Invoice) and lower case. */
export const fold = (s: string): string => s.normalize('NFKC').toLowerCase();

/** Filters with their text folded once, not once per line: the same fields, folded. */
export type Query = FindFilters;

export function toQuery(f: FindFilters): Query {
  const q: Query = { since: f.since, until: f.until };
  for (const k of ['user', 'folder', 'from', 'to', 'subject'] as const) if (f[k]) q[k] = fold(f[k]);
  if (f.messageId) q.messageId = f.messageId.trim().replace(/^<|>$/g, '');
  return q;
}

/** True when any header filter is given (restore mail then selects by the index, not by folder). */
export function hasHeaderFilter(f: FindFilters): boolean {
  return Boolean(f.from || f.to || f.subject || f.messageId);
}

export function matches(e: MessageEntry, q: Query): boolean {
  // a %n store names mailboxes by local part only: alice@example.com is the mailbox alice
  if (q.user !== undefined && fold(e.user) !== q.user && (e.user.includes('@') || !q.user.startsWith(fold(e.user) + '@'))) return false;
  if (q.folder !== undefined && fold(e.folder) !== q.folder) return false;
  if (q.messageId !== undefined && e.messageId !== q.messageId) return false;
  if (q.since !== undefined && e.deliveredMs < q.since) return false;
  if (q.until !== undefined && e.deliveredMs >= q.until) return false;
  if (q.from !== undefined && !fold(e.from).includes(q.from)) return false;
  if (q.to !== undefined && !fold(e.to).includes(q.to)) return false;
  if (q.subject !== undefined && !fold(e.subject).includes(q.subject)) return false;
  return true;
}
