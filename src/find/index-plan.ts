/**
 * Which message entries of a new snapshot's index come from the previous snapshot's index and
 * which need their header block read: plain decisions over two byte-ordered streams of lines,
 * no I/O. A message whose path and content hash are unchanged keeps its previous line as it was;
 * one renamed (flags, new/ → cur/, moved to another folder) takes the previous entry of the same
 * content hash; only content no previous entry describes is read.
 */
import { compareBytes, indexLineTabs, unescapeField } from '../engine/manifest-format.js';
import { messageLinePath, parseMessageLine, type MessageEntry } from '../repository/message-index.js';

/** What the new snapshot's manifest.index says of one message file. */
export interface MessageRow {
  path: string;
  sha256: string;
  size: number;
  mtimeMs: number;
  user: string;
  folder: string;
}

export type IndexDecision =
  | { kind: 'carry'; line: string }
  | { kind: 'reuse'; row: MessageRow; from: MessageEntry }
  | { kind: 'read'; row: MessageRow };

/** A manifest.index line's path, hash, size and mtime, without parsing the rest. */
export function manifestRow(line: string): Omit<MessageRow, 'user' | 'folder'> | undefined {
  const t = indexLineTabs(line);
  if (!t) return undefined;
  return {
    path: unescapeField(line.slice(t[7] + 1)),
    sha256: line.slice(0, 64),
    size: Number(line.slice(t[2] + 1, t[3])),
    mtimeMs: Number(line.slice(t[3] + 1, t[4])),
  };
}

/** The first field of a message line is its path, the fourth its hash. */
function lineHash(line: string): string {
  let i = -1;
  for (let k = 0; k < 3; k++) i = line.indexOf('\t', i + 1);
  return line.slice(i + 1, i + 65);
}

/**
 * Pass one: previous lines whose path the new snapshot no longer holds with the same content,
 * by content hash. Bounded by a day's deletions and renames, not by the store.
 */
export function unmatchedPrevious(rows: Iterable<MessageRow>, prev: Iterable<string>): Map<string, string> {
  const out = new Map<string, string>();
  const it = prev[Symbol.iterator]();
  let p = nextLine(it);
  for (const row of rows) {
    while (p !== undefined && compareBytes(messageLinePath(p), row.path) < 0) {
      out.set(lineHash(p), p);
      p = nextLine(it);
    }
    if (p !== undefined && messageLinePath(p) === row.path) {
      if (lineHash(p) !== row.sha256) out.set(lineHash(p), p);
      p = nextLine(it);
    }
  }
  for (; p !== undefined; p = nextLine(it)) out.set(lineHash(p), p);
  return out;
}

/** Pass two: one decision per message row, in the rows' order. */
export function* decideEntries(rows: Iterable<MessageRow>, prev: Iterable<string>, unmatched: Map<string, string>): Generator<IndexDecision> {
  const it = prev[Symbol.iterator]();
  let p = nextLine(it);
  for (const row of rows) {
    while (p !== undefined && compareBytes(messageLinePath(p), row.path) < 0) p = nextLine(it);
    if (p !== undefined && messageLinePath(p) === row.path && lineHash(p) === row.sha256) {
      // the same path with the same content: its line as it was, not even parsed
      yield { kind: 'carry', line: p };
      p = nextLine(it);
      continue;
    }
    const other = unmatched.get(row.sha256) ?? (p !== undefined && lineHash(p) === row.sha256 ? p : undefined);
    const from = other === undefined ? undefined : parseMessageLine(other);
    yield from ? { kind: 'reuse', row, from } : { kind: 'read', row };
  }
}

function nextLine(it: Iterator<string>): string | undefined {
  for (;;) {
    const r = it.next();
    if (r.done) return undefined;
    if (r.value !== '' && !r.value.startsWith('#')) return r.value;
  }
}

/** The new entry for a row whose headers came from a previous entry or from its file. */
export function entryOf(row: MessageRow, h: Pick<MessageEntry, 'messageId' | 'from' | 'to' | 'subject'>): MessageEntry {
  return { path: row.path, user: row.user, folder: row.folder, sha256: row.sha256, size: row.size, deliveredMs: row.mtimeMs, messageId: h.messageId, from: h.from, to: h.to, subject: h.subject };
}
