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
import { readComponentLinesSync } from '../engine/manifest/manifest-index.js';
import { readRecordsSync } from '../repository/read-records.js';
import { HEADER_BLOCK_MAX, headerBlockEnd, parseHeaders, type MessageHeaders } from '../mailbox/headers.js';
import type { MailboxLayout } from '../mailbox/layout.js';
import { messageOfPath } from '../mailbox/message-path.js';
import { writeFileAtomic } from '../repository/atomic.js';
import { MESSAGE_INDEX, MESSAGE_INDEX_HEADER, formatMessageLine, messageIndexPath, messageIndexSumPath } from '../repository/message-index.js';
import { decideEntries, entryOf, type Classify, type MessageRow } from './index-plan.js';

/** header blocks of many files at once (HashPool.headMany: on the pool's threads), latin1 */
export type ReadHeads = (paths: string[]) => Promise<string[]>;

export interface BuildIndexInput {
  /** how header blocks are read */
  readHeads: ReadHeads;
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

/** lines held before they are written; the header blocks among them are read in one batch */
const WINDOW = 4096;

export async function buildMessageIndex(input: BuildIndexInput): Promise<BuildIndexResult> {
  const prefix = posix.join('mail', input.mailboxRoot) + '/';
  const prevFile = input.prevDir ? messageIndexPath(input.prevDir) : undefined;
  const prevLines = () => (prevFile && existsSync(prevFile) ? readRecordsSync(prevFile, '\n') : []);
  const lines = () => mailLines(input.snapDir, prefix);

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
    // lines in order; the ones to read wait as rows, read together once WINDOW of them are held
    let window: (string | MessageRow)[] = [];
    let toRead: MessageRow[] = [];
    const flush = async () => {
      if (window.length === 0) return;
      const heads = await input.readHeads(toRead.map((r) => join(input.snapDir, r.path)));
      const read = new Map(toRead.map((r, i) => [r, heads[i]]));
      write(window.map((x) => (typeof x === 'string' ? x : formatMessageLine(entryOf(x, parseHeaders(Buffer.from(read.get(x)!, 'latin1')))).slice(0, -1))).join('\n') + '\n');
      window = [];
      toRead = [];
    };
    for (const d of decideEntries(lines(), prevLines(), classifier(prefix, input.layout))) {
      res.messages++;
      if (d.kind === 'carry') {
        res.carried++;
        window.push(d.line);
      } else if (d.kind === 'reuse') {
        res.carried++;
        window.push(formatMessageLine(entryOf(d.row, d.from)).slice(0, -1));
      } else {
        res.read++;
        window.push(d.row);
        toRead.push(d.row);
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

/** The manifest.index lines of the files under mail/<mailboxRoot>/, unparsed. */
function* mailLines(snapDir: string, prefix: string): Generator<string> {
  for (const line of readComponentLinesSync(snapDir, 'mail')) if (line.startsWith(prefix, line.lastIndexOf('\t') + 1)) yield line;
}

/** user and folder by the message path's directory: one decision per folder, not per file. */
function classifier(prefix: string, l: MailboxLayout): Classify {
  const byDir = new Map<string, { user: string; folder: string } | undefined>();
  return (path) => {
    const slash = path.lastIndexOf('/');
    const dir = path.slice(0, slash);
    if (!byDir.has(dir)) {
      const m = path.startsWith(prefix) ? messageOfPath(`${path.slice(prefix.length, slash)}/x`, l) : undefined;
      byDir.set(dir, m && { user: m.user, folder: m.folder });
    }
    const name = path.slice(slash + 1);
    return name.startsWith('.') ? undefined : byDir.get(dir);
  };
}

/** One file's header block, decoded, on this thread (find's live checks: a few files). */
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
