/**
 * Writes a snapshot's messages.index (and messages.index.sha256) from its manifest.index and the
 * previous snapshot's messages.index (index-plan.ts decides): only the header blocks of messages
 * no previous entry describes are read — after a day's backup, the day's new mail.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname, join, posix } from 'node:path';
import { InterruptedError } from '../errors.js';
import { readComponentLinesSync } from '../engine/manifest-index.js';
import { readRecordsSync } from '../engine/read-records.js';
import { HEADER_BLOCK_MAX, headerBlockEnd, parseHeaders, type MessageHeaders } from '../mailbox/headers.js';
import type { MailboxLayout } from '../mailbox/layout.js';
import { messageOfPath } from '../mailbox/message-path.js';
import { writeFileAtomic } from '../repository/atomic.js';
import { MESSAGE_INDEX, MESSAGE_INDEX_HEADER, formatMessageLine, messageIndexPath, messageIndexSumPath } from '../repository/message-index.js';
import { decideEntries, entryOf, manifestRow, unmatchedPrevious, type MessageRow } from './index-plan.js';

export interface BuildIndexInput {
  snapDir: string;
  /** the snapshot this one is based on; its messages.index, when it has one, is carried forward */
  prevDir?: string;
  /** source.mailboxRoot: where the layout starts under mail/ */
  mailboxRoot: string;
  layout: MailboxLayout;
  signal?: AbortSignal;
}

export interface BuildIndexResult {
  messages: number;
  /** header blocks read */
  read: number;
  /** entries taken from the previous index (unchanged or renamed) */
  carried: number;
  bytes: number;
}

/** header reads in flight at once; each window of lines is written once its reads are in */
const WINDOW = 1024;

export async function buildMessageIndex(input: BuildIndexInput): Promise<BuildIndexResult> {
  const prefix = posix.join('mail', input.mailboxRoot) + '/';
  const prevFile = input.prevDir ? messageIndexPath(input.prevDir) : undefined;
  const prevLines = () => (prevFile && existsSync(prevFile) ? readRecordsSync(prevFile, '\n') : []);
  const rows = () => messageRows(input.snapDir, prefix, input.layout);
  const unmatched = unmatchedPrevious(rows(), prevLines());

  const file = messageIndexPath(input.snapDir);
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w', 0o600);
  const hash = createHash('sha256');
  const res: BuildIndexResult = { messages: 0, read: 0, carried: 0, bytes: 0 };
  const write = (text: string) => {
    const buf = Buffer.from(text);
    hash.update(buf);
    writeSync(fd, buf);
    res.bytes += buf.length;
  };
  try {
    write(MESSAGE_INDEX_HEADER);
    let window: (string | Promise<string>)[] = [];
    const flush = async () => {
      write((await Promise.all(window)).join(''));
      window = [];
    };
    for (const d of decideEntries(rows(), prevLines(), unmatched)) {
      res.messages++;
      if (d.kind === 'carry') {
        res.carried++;
        window.push(d.line + '\n');
      } else if (d.kind === 'reuse') {
        res.carried++;
        window.push(formatMessageLine(entryOf(d.row, d.from)));
      } else {
        res.read++;
        const row = d.row;
        window.push(readHeaders(join(input.snapDir, row.path)).then((h) => formatMessageLine(entryOf(row, h))));
      }
      if (window.length >= WINDOW) {
        if (input.signal?.aborted) throw new InterruptedError();
        await flush();
      }
    }
    await flush();
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, file);
  writeFileAtomic(messageIndexSumPath(input.snapDir), `${hash.digest('hex')}  ${MESSAGE_INDEX}\n`);
  return res;
}

/** The message files of the snapshot's manifest.index, in its order, with user and folder. */
function* messageRows(snapDir: string, prefix: string, l: MailboxLayout): Generator<MessageRow> {
  for (const line of readComponentLinesSync(snapDir, 'mail')) {
    const r = manifestRow(line);
    if (!r || !r.path.startsWith(prefix)) continue;
    const m = messageOfPath(r.path.slice(prefix.length), l);
    if (m) yield { ...r, user: m.user, folder: m.folder };
  }
}

/** The header block of a message file (its first ≤ 64 KiB up to the blank line), decoded. */
export async function readHeaders(path: string): Promise<MessageHeaders> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(HEADER_BLOCK_MAX);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return parseHeaders(buf.subarray(0, headerBlockEnd(buf, bytesRead)));
  } finally {
    await fh.close();
  }
}
