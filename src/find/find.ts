/**
 * `find`'s search: the messages.index of each snapshot, oldest first, filtered and grouped
 * (query.ts, group.ts). Reads only the indexes, never a snapshot's tree.
 */
import { existsSync } from 'node:fs';
import { readRecordsSync } from '../engine/read-records.js';
import { messageIndexPath, parseMessageLine } from '../repository/message-index.js';
import type { Snapshot } from '../repository/snapshots.js';
import { Grouper, type FoundMessage } from './group.js';
import { matches, type Query } from './query.js';

export interface FindResult {
  messages: FoundMessage[];
  /** snapshot ids searched */
  searched: string[];
  /** snapshot ids with no messages.index (made before it, or its build failed) */
  withoutIndex: string[];
}

/** `snaps` oldest first. */
export function searchIndexes(snaps: Snapshot[], q: Query): FindResult {
  const g = new Grouper();
  const res: FindResult = { messages: [], searched: [], withoutIndex: [] };
  for (const s of snaps) {
    const file = messageIndexPath(s.dir);
    if (!existsSync(file)) {
      res.withoutIndex.push(s.id);
      continue;
    }
    res.searched.push(s.id);
    for (const line of readRecordsSync(file, '\n')) {
      // a Message-ID is matched whole: lines without it need no parsing
      if (q.messageId !== undefined && !line.includes(q.messageId)) continue;
      const e = parseMessageLine(line);
      if (e && matches(e, q)) g.add(s.id, e);
    }
  }
  res.messages = g.messages();
  return res;
}
