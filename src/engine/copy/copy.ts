/**
 * The only files rsync copies: the new and changed ones the plan (link-plan.ts) listed, in byte
 * order, in batches of up to BATCH_FILES. Once rsync is done with a batch, its files are hashed
 * (read back from the page cache they were just written through: no file is read from disk
 * twice) while the next batches are copied (two rsyncs at once), and the index lines are written
 * in plan order. Hashing as rsync reported each file did not work out: the sender logs a file before the
 * receiver has renamed it into place, so most small files had to be looked for again.
 *
 * Memory is bounded by the batch, not the tree. A listed file that is not there after rsync
 * vanished meanwhile (--ignore-missing-args); one an interrupted run left in place (so rsync had
 * nothing to do) is hashed like the rest.
 */
import { availableParallelism } from 'node:os';
import { rmSync } from 'node:fs';
import type { HashedFile, HashPool } from '../hash/pool.js';
import { compareBytes, type IndexEntry } from '../../repository/manifest-format.js';
import type { ScanEntry } from '../scan/scan-entry.js';
import { rsyncMirror, type RsyncItem } from '../../tools/rsync.js';
import { checkRsync, removeExtras, writeNulList } from './rsync-lists.js';
import { isMissing } from '../../mailbox/walk.js';
import { InterruptedError } from '../../errors.js';
import { broughtAlong, parentOf, rsyncListFor, type DirCounts } from './whole-dirs.js';
import { SecondNames } from './hardlinks.js';
import { BatchStreams } from './batch-streams.js';
import type { ToCopy } from './to-copy.js';

/** up to RSYNC_STREAMS + 1 batches are held at once: the batch bounds memory (docs/architecture.md, the engine's measurements) */
const BATCH_FILES = 7_000;
/** a batch may run on to the end of a directory (to list it whole), up to this */
const BATCH_MAX_FILES = 30_000;
/** a short list is split into batches of at least this many (an rsync start-up costs about 50 ms) */
const MIN_SPLIT_FILES = 250;
const BATCH_BYTES = 2 * 1024 ** 3;
/** rsyncs at once: one rsync of small files leaves a core idle (docs/architecture.md, the engine's measurements) */
const RSYNC_STREAMS = Math.min(2, availableParallelism());

export interface CopyInput {
  srcRoot: string;
  /** the component's directory in the new snapshot */
  dest: string;
  /** component name: index paths are `<name>/<path>` */
  name: string;
  exclude?: string[];
  scratchFile: string;
  pool: HashPool;
  signal?: AbortSignal;
  /** every item rsync reports (progress, counts) */
  onItem?: (item: RsyncItem) => void;
  /** the scan's entries per directory: a directory all of whose entries are copied goes whole (whole-dirs.ts) */
  dirs?: DirCounts;
  /** a maildir component: keep the copied messages' header blocks for the message index (hash/head-cache.ts) */
  maildir?: boolean;
  /** rsyncs at once (default RSYNC_STREAMS) */
  streams?: number;
  /** how many files the list holds, when known: a short list is split so that every rsync has a share */
  expectedFiles?: number;
}

export interface CopyResult {
  files: number;
  bytes: number;
  vanished: number;
  batches: number;
}

/** Sorted merge of two byte-ordered lists of files to copy. */
export function* mergeCopies(a: Iterable<ToCopy>, b: ScanEntry[]): Generator<ToCopy> {
  let j = 0;
  for (const x of a) {
    while (j < b.length && compareBytes(b[j].path, x.path) < 0) yield b[j++];
    yield x;
  }
  while (j < b.length) yield b[j++];
}

export function toIndexEntry(path: string, h: HashedFile, isNew: boolean): IndexEntry {
  return { path, ino: h.ino, size: h.size, mtimeMs: h.mtimeMs, mode: h.mode, uid: h.uid, gid: h.gid, sha256: h.hex, isNew };
}

/** Hashes a file of the new snapshot; undefined when it is not there. */
export async function hashIfPresent(pool: HashPool, path: string): Promise<HashedFile | undefined> {
  try {
    return await pool.hashFileStat(path);
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

/** Where a copied file's index entry goes: `inOrder` ones come in plan order, the rest in any order. */
export type EmitCopied = (e: IndexEntry, inOrder: boolean) => void;

/**
 * Copies `list` (byte order) and calls `emit` with each copied file's index entry: in the same
 * order, but for the second names of a source inode (linked afterwards, hardlinks.ts). Returns
 * what was copied and how many listed names were gone.
 */
export async function copyAndHash(input: CopyInput, list: Iterable<ToCopy>, emit: EmitCopied): Promise<CopyResult> {
  const result: CopyResult = { files: 0, bytes: 0, vanished: 0, batches: 0 };
  const links = new SecondNames();
  await copyInBatches(input, links.firstsOf(list), (e) => emit(links.copied(e, input.name), true), result);
  const again = links.linkAll(input.dest, input.name, (e) => {
    result.files++;
    result.bytes += e.size;
    emit(e, false);
  });
  // a first name gone before rsync came: its other names are copied, each on its own
  if (again.length > 0) await copyInBatches(input, again, (e) => emit(e, false), result);
  return result;
}

async function copyInBatches(input: CopyInput, list: Iterable<ToCopy>, emit: (e: IndexEntry) => void, result: CopyResult): Promise<void> {
  const n = input.streams ?? RSYNC_STREAMS;
  const streams = new BatchStreams(n);
  // a day's copies (a thousand files) in one batch would leave the second rsync idle
  const perBatch = input.expectedFiles === undefined ? BATCH_FILES : Math.min(BATCH_FILES, Math.max(MIN_SPLIT_FILES, Math.ceil(input.expectedFiles / n)));
  const first = result.batches;
  let batch: string[] = [];
  let bytes = 0;
  let lastParent: string | undefined;
  const flush = async () => {
    await streams.slot();
    const n = result.batches++;
    const copied = copyBatch({ ...input, scratchFile: `${input.scratchFile}.${n}` }, batch, result);
    streams.add(copied, emit);
  };
  try {
    for (const f of list) {
      const parent = parentOf(f.path);
      // cut between directories where it can, so that a directory lands in one batch
      if (batch.length >= BATCH_MAX_FILES || (batch.length >= perBatch && parent !== lastParent) || bytes >= BATCH_BYTES) {
        await flush();
        batch = [];
        bytes = 0;
      }
      batch.push(f.path);
      bytes += f.size;
      lastParent = parent;
    }
    if (batch.length > 0) await flush();
    await streams.done();
  } finally {
    await streams.settled(); // no rsync still writing when the caller goes on (or cleans up)
    for (let n = first; n < result.batches; n++) rmSync(`${input.scratchFile}.${n}`, { force: true });
  }
}

/** Runs rsync over one batch; resolves when rsync is done, with what waits for the batch's hashes and emits its entries. */
async function copyBatch(input: CopyInput, batch: string[], result: CopyResult): Promise<(emit: (e: IndexEntry) => void) => Promise<void>> {
  if (input.signal?.aborted) throw new InterruptedError();
  const list = rsyncListFor(batch, input.dirs);
  writeNulList(input.scratchFile, list.names);
  const extras: RsyncItem[] = [];
  const out = await rsyncMirror({
    srcRoot: input.srcRoot, dest: input.dest, filesFrom: input.scratchFile, dirs: list.wholeDirs.size > 0, exclude: input.exclude, signal: input.signal,
    onItem: (item) => {
      if (broughtAlong(list, input.dirs, item)) extras.push(item);
      else input.onItem?.(item);
    },
  });
  checkRsync(input, out, input.name);
  removeExtras(input.dest, extras);
  // every file of the batch is in place now: hashed while the next batches' rsyncs run; paths
  // by concatenation, not join(): the scan's paths are already normal (join's normalising shows at 100k)
  const base = input.dest.endsWith('/') ? input.dest : `${input.dest}/`;
  const found = input.pool.hashMany(batch.map((path) => base + path), { keepHeads: input.maildir });
  found.catch(() => {}); // awaited by the caller's finish()
  return async (emit) => {
    const hs = await found;
    for (let i = 0; i < batch.length; i++) {
      const h = hs[i];
      if (!h) {
        // gone before rsync read it (--ignore-missing-args is silent) or while it copied it (exit 24)
        result.vanished++;
        continue;
      }
      result.files++;
      result.bytes += h.size;
      emit(toIndexEntry(`${input.name}/${batch[i]}`, h, true));
    }
  };
}
