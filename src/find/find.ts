/**
 * `find`'s search: the messages.index of each snapshot, oldest first, filtered and grouped
 * (query.ts, group.ts). Reads only the indexes, never a snapshot's tree.
 *
 * Headers are a function of a message's content, so the header filters are judged once per
 * content hash, not once per line: the same message in 42 snapshots is decoded and folded once.
 * A line is scanned in its read buffer for its tabs and hash; only a line that can match is
 * decoded and parsed (measured on 42 snapshots of 10,000 messages: 5.7 s parsing every line).
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { messageIndexPath, parseMessageLine } from '../repository/message-index.js';
import type { Snapshot } from '../repository/snapshots.js';
import { Grouper, type FoundMessage } from './group.js';
import { fold, matches, type Query } from './query.js';

export interface FindResult {
  messages: FoundMessage[];
  /** snapshot ids searched */
  searched: string[];
  /** snapshot ids with no messages.index (made before it, or its build failed) */
  withoutIndex: string[];
}

const CHUNK = 4 << 20;
const TAB = 9;
const NL = 10;

/** `snaps` oldest first. */
export function searchIndexes(snaps: Snapshot[], q: Query): FindResult {
  const g = new Grouper();
  const res: FindResult = { messages: [], searched: [], withoutIndex: [] };
  const headerFilters = q.from !== undefined || q.to !== undefined || q.subject !== undefined || q.messageId !== undefined;
  const onlyHeaders: Query = { from: q.from, to: q.to, subject: q.subject, messageId: q.messageId };
  /** content hash → whether its header fields match (only with header filters) */
  const byHash = new Map<string, boolean>();
  for (const s of snaps) {
    const file = messageIndexPath(s.dir);
    if (!existsSync(file)) {
      res.withoutIndex.push(s.id);
      continue;
    }
    res.searched.push(s.id);
    eachLine(file, (buf, start, end) => {
      if (buf[start] === 35) return; // '#': the header line
      if (headerFilters) {
        const sha = hashOf(buf, start, end);
        if (sha === undefined) return;
        let hit = byHash.get(sha);
        if (hit === undefined) {
          const e = parseMessageLine(buf.toString('utf8', start, end));
          hit = e !== undefined && matches(e, onlyHeaders);
          byHash.set(sha, hit);
        }
        if (!hit) return;
      } else if (q.user !== undefined && !userMayMatch(buf, start, end, q.user)) return;
      const e = parseMessageLine(buf.toString('utf8', start, end));
      if (e && matches(e, q)) g.add(s.id, e);
    });
  }
  res.messages = g.messages();
  return res;
}

/** The fourth field (sha256) of a line, as latin1 (it is hex). */
function hashOf(buf: Buffer, start: number, end: number): string | undefined {
  let t = start - 1;
  for (let k = 0; k < 3; k++) {
    t = buf.indexOf(TAB, t + 1);
    if (t < 0 || t >= end) return undefined;
  }
  return buf.toString('latin1', t + 1, t + 65);
}

/** The user field (the second) folded equals the query, or could for a %n store's bare local part. */
function userMayMatch(buf: Buffer, start: number, end: number, user: string): boolean {
  const a = buf.indexOf(TAB, start);
  const b = a < 0 ? -1 : buf.indexOf(TAB, a + 1);
  if (b < 0 || b >= end) return false;
  const u = fold(buf.toString('utf8', a + 1, b));
  return u === user || (!u.includes('@') && user.startsWith(u + '@'));
}

/** Calls `fn` with each line's byte range, reading the file in CHUNK reads. */
function eachLine(file: string, fn: (buf: Buffer, start: number, end: number) => void): void {
  const fd = openSync(file, 'r');
  try {
    let buf = Buffer.allocUnsafe(CHUNK);
    let have = 0;
    for (;;) {
      if (have === buf.length) buf = Buffer.concat([buf, Buffer.allocUnsafe(buf.length)]); // a line longer than the buffer
      const n = readSync(fd, buf, have, buf.length - have, null);
      const len = have + n;
      let from = 0;
      for (let i = buf.indexOf(NL, 0); i >= 0 && i < len; i = buf.indexOf(NL, from)) {
        if (i > from) fn(buf, from, i);
        from = i + 1;
      }
      if (n === 0) {
        if (len > from) fn(buf, from, len);
        return;
      }
      buf.copy(buf, 0, from, len);
      have = len - from;
    }
  } finally {
    closeSync(fd);
  }
}
