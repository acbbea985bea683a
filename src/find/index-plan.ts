/**
 * Which message entries of a new snapshot's index come from the previous snapshot's index and
 * which need their header block read: plain decisions over two byte-ordered streams of lines,
 * no I/O. A message whose path and content hash are unchanged keeps its previous line as it was;
 * one renamed (flags, new/ → cur/, moved to another folder) takes the previous entry of the same
 * content hash; only content no previous entry describes is read.
 *
 * This runs once per file of the mail store on every backup, so lines are compared as written
 * (paths escaped alike in both files, hashes at known places), and a line is parsed only when it
 * is not simply carried.
 */
import { compareBytes, indexLineIsNew, indexLineTabs, unescapeField } from '../repository/manifest-format.js';
import { parseMessageLine, type MessageEntry } from '../repository/message-index.js';

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

/** user and folder of a message path, or undefined when the path is not a message (message-path.ts) */
export type Classify = (path: string) => { user: string; folder: string } | undefined;

/** manifest.index line: `<sha256>\t…\t<path>` (escaped); messages.index line: `<path>\t<user>\t<folder>\t<sha256>\t…` */
const manifestPath = (line: string) => line.slice(line.lastIndexOf('\t') + 1);
const manifestHash = (line: string) => line.slice(0, 64);
const messagePath = (line: string) => line.slice(0, line.indexOf('\t'));

function messageHash(line: string): string {
  let i = -1;
  for (let k = 0; k < 3; k++) i = line.indexOf('\t', i + 1);
  return line.slice(i + 1, i + 65);
}

/** decisions held back at most (about one mailbox's files) */
const MAX_WAITING = 100_000;

/** an entry of the queue: decided, or waiting for the previous line of its content */
interface Slot {
  d?: IndexDecision;
  row?: MessageRow;
}

/**
 * One decision per message file of the manifest, in its order, in one pass over both files.
 * A file linked from the previous snapshot under another name (renamed, moved: not a new inode)
 * has a previous line of the same content somewhere: before its new path (taken from the
 * previous lines passed over), or after it (new/ → cur/, a move to a folder that sorts first):
 * then its decision waits until the previous stream reaches that line, and the ones after it
 * wait with it (output stays in order). They wait at most the rest of that mailbox.
 */
export function* decideEntries(manifest: Iterable<string>, prev: Iterable<string>, classify: Classify): Generator<IndexDecision> {
  const it = prev[Symbol.iterator]();
  /** previous lines passed over, by content hash: a day's deletions and renames */
  const passed = new Map<string, string>();
  const waiting = new Map<string, Slot[]>();
  const queue: Slot[] = [];
  let head = 0;
  let p = nextLine(it);
  let pPath = p === undefined ? '' : messagePath(p);
  const advance = () => {
    p = nextLine(it);
    pPath = p === undefined ? '' : messagePath(p);
  };
  const passOver = () => {
    const sha = messageHash(p!);
    const slots = waiting.get(sha);
    if (slots) {
      const from = parseMessageLine(p!);
      for (const s of slots) if (!s.d) s.d = from ? { kind: 'reuse', row: s.row!, from } : { kind: 'read', row: s.row! };
      waiting.delete(sha);
    }
    passed.set(sha, p!);
    advance();
  };
  const decideRow = (row: MessageRow, line: string): Slot => {
    const other = passed.get(row.sha256);
    const from = other === undefined ? undefined : parseMessageLine(other);
    if (from) return { d: { kind: 'reuse', row, from } };
    // linked from the previous snapshot under another name: its previous line is still to come
    if (p !== undefined && !indexLineIsNew(line)) {
      const slot: Slot = { row };
      const same = waiting.get(row.sha256);
      if (same) same.push(slot);
      else waiting.set(row.sha256, [slot]);
      return slot;
    }
    return { d: { kind: 'read', row } };
  };
  for (const line of manifest) {
    const path = manifestPath(line);
    while (p !== undefined && compareBytes(pPath, path) < 0) passOver();
    if (p !== undefined && pPath === path && messageHash(p) === manifestHash(line)) {
      // the same path with the same content: its line as it was, not even parsed
      const d: IndexDecision = { kind: 'carry', line: p };
      advance();
      if (head === queue.length) {
        yield d; // nothing waits before it: no queue (the common case, once per unchanged message)
        continue;
      }
      queue.push({ d });
    } else {
      if (p !== undefined && pPath === path) passOver(); // the same name with other content
      const row = messageRow(line, classify);
      if (row) queue.push(decideRow(row, line));
    }
    // a previous line that never comes (another snapshot's index, damage) must not hold the whole store
    if (queue.length - head > MAX_WAITING && !queue[head].d) queue[head].d = { kind: 'read', row: queue[head].row! };
    yield* drain();
  }
  while (p !== undefined) passOver();
  for (const slots of waiting.values()) for (const s of slots) if (!s.d) s.d = { kind: 'read', row: s.row! };
  yield* drain();

  function* drain(): Generator<IndexDecision> {
    while (head < queue.length && queue[head].d) yield queue[head++].d!;
    if (head > 4096 && head * 2 > queue.length) {
      queue.splice(0, head);
      head = 0;
    }
  }
}

/** A manifest.index line of a message file as a row; undefined for any other file. */
export function messageRow(line: string, classify: Classify): MessageRow | undefined {
  const t = indexLineTabs(line);
  if (!t) return undefined;
  const path = unescapeField(line.slice(t[7] + 1));
  const who = classify(path);
  if (!who) return undefined;
  return { path, sha256: line.slice(0, 64), size: Number(line.slice(t[2] + 1, t[3])), mtimeMs: Number(line.slice(t[3] + 1, t[4])), ...who };
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
