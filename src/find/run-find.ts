/**
 * `find`: the snapshots to search, the search over their indexes, `--deleted` against the live
 * mailboxes, and the result for a person (one line per message) or for --json.
 */
import type { Config } from '../config/schema.js';
import { UsageError } from '../errors.js';
import { openDestination } from '../repository/destination.js';
import { isOk, listSnapshots, type Snapshot } from '../repository/snapshots.js';
import { table } from '../util/format.js';
import { searchIndexes, type FindResult } from './find.js';
import type { FoundMessage } from './group.js';
import { LiveMailbox } from './live.js';
import { liveMaildirOf, liveStore } from './live-path.js';
import { toQuery, type FindFilters } from './query.js';

export interface FindOptions extends FindFilters {
  snapshot?: string;
  deleted?: boolean;
}

export interface FindReport extends FindResult {
  deletedOnly: boolean;
}

export async function runFind(config: Config, o: FindOptions): Promise<FindReport> {
  const dest = await openDestination(config, 'shared', { command: 'find' });
  try {
    const snaps: Snapshot[] = o.snapshot ? [await dest.read(o.snapshot)] : dest.hold(listSnapshots(dest.root).filter(isOk));
    if (snaps.length === 0) throw new UsageError('there is no ok snapshot to search yet: run `mailbackup backup` first');
    const res = searchIndexes(snaps, toQuery(o));
    if (o.deleted) res.messages = await notLive(config, res.messages);
    return { ...res, deletedOnly: Boolean(o.deleted) };
  } finally {
    dest.release();
  }
}

/** The messages no longer anywhere in their user's live mailbox. */
async function notLive(config: Config, messages: FoundMessage[]): Promise<FoundMessage[]> {
  const store = liveStore(config);
  const boxes = new Map<string, LiveMailbox>();
  const out: FoundMessage[] = [];
  for (const m of messages) {
    const dir = liveMaildirOf(store, m.newest.path);
    if (!dir) continue;
    let box = boxes.get(dir);
    if (!box) boxes.set(dir, (box = new LiveMailbox(dir)));
    if (!(await box.holds({ baseNames: m.baseNames, messageId: m.messageId, size: m.newest.size, sha256: m.newest.sha256 }))) out.push(m);
  }
  return out;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

function seenIn(m: FoundMessage): string {
  const first = m.snapshots[0];
  const last = m.snapshots[m.snapshots.length - 1];
  return first === last ? `${first} (1)` : `${first} … ${last} (${m.snapshots.length})`;
}

/** One document for --json: one record per message. */
export function findJson(r: FindReport) {
  return {
    messages: r.messages.map((m) => ({
      messageId: m.messageId || null, user: m.user, folder: m.folder, from: m.from, to: m.to, subject: m.subject,
      date: new Date(m.deliveredMs).toISOString(), size: m.newest.size, sha256: m.newest.sha256,
      snapshots: { first: m.snapshots[0], last: m.snapshots[m.snapshots.length - 1], count: m.snapshots.length, all: m.snapshots },
    })),
    searched: r.searched,
    withoutIndex: r.withoutIndex,
    deletedOnly: r.deletedOnly,
  };
}

export function findLines(r: FindReport): string[] {
  const cut = (s: string, n: number) => (s.length > n ? s.slice(0, n - 1) + '…' : s);
  const lines = r.messages.length
    ? table([
        ['DELIVERED (UTC)', 'USER', 'FOLDER', 'FROM', 'SUBJECT', 'MESSAGE-ID', 'SNAPSHOTS (first … last)'],
        ...r.messages.map((m) => [day(m.deliveredMs), m.user, m.folder, cut(m.from, 40), cut(m.subject, 50), m.messageId ? `<${m.messageId}>` : '(none)', seenIn(m)]),
      ])
    : ['no message matches'];
  lines.push(`${r.messages.length} message(s)${r.deletedOnly ? ' no longer in the live mailbox' : ''}, ${r.searched.length} snapshot(s) searched`);
  if (r.withoutIndex.length) lines.push(`no messages.index in ${r.withoutIndex.join(', ')}: not searched; \`mailbackup index\` builds it`);
  return lines;
}
