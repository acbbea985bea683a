/**
 * The only files rsync copies: the new and changed ones the plan (link-plan.ts) listed, in byte
 * order, each hashed as soon as rsync reports it sent (its out-format carries %b, so the line
 * comes after the transfer), read back from the page cache — no file is read from disk twice.
 *
 * Batches of a few thousand files keep memory bounded by the batch, not the tree: within one
 * batch the hashes finish in any order, and the batch's index lines are written in plan order
 * once rsync is done with it. A listed file rsync did not report is hashed then if it exists
 * (left by an interrupted run, so rsync had nothing to do), else it vanished meanwhile.
 */
import { join } from 'node:path';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import type { HashedFile, HashPool } from './hash.js';
import type { IndexEntry } from './manifest-format.js';
import { describeRsyncFailure, rsyncMirror, RSYNC_VANISHED, type RsyncItem, type RsyncOutcome } from '../tools/rsync.js';
import { isMissing } from '../mailbox/walk.js';
import { InterruptedError, ToolError } from '../errors.js';

/** A NUL-separated list of names for rsync --files-from --from0. */
export function writeNulList(path: string, names: string[]): void {
  const fd = openSync(path, 'w', 0o600);
  try {
    writeSync(fd, names.join('\0') + '\0');
  } finally {
    closeSync(fd);
  }
}

/** rsync's outcome for one of the engine's lists: vanished names are normal, anything else fails the component. */
export function checkRsync(input: Pick<CopyInput, 'srcRoot' | 'dest' | 'signal'>, out: RsyncOutcome, what: string): void {
  if (input.signal?.aborted) throw new InterruptedError();
  if (out.exitCode === 0 || out.exitCode === RSYNC_VANISHED) return;
  throw new ToolError(
    `rsync of ${what} (${input.srcRoot} → ${input.dest}) failed with exit ${out.exitCode}: ${describeRsyncFailure(out)}; ` +
      'check that the source is readable and the backup disk has space, then run the backup again (the .partial is reused)',
    out.stderr,
  );
}

const BATCH_FILES = 20_000;
const BATCH_BYTES = 2 * 1024 ** 3;

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
}

export interface CopyResult {
  files: number;
  bytes: number;
  vanished: number;
  batches: number;
}

/** A path the plan lists for copying, with the size the scan saw (for batching by bytes). */
export interface ToCopy {
  path: string;
  size: number;
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

/**
 * Copies `list` (byte order) and calls `emit` with each copied file's index entry, in the same
 * order. Returns what was copied and how many listed names were gone.
 */
export async function copyAndHash(input: CopyInput, list: Iterable<ToCopy>, emit: (e: IndexEntry) => void): Promise<CopyResult> {
  const result: CopyResult = { files: 0, bytes: 0, vanished: 0, batches: 0 };
  let batch: string[] = [];
  let bytes = 0;
  try {
    for (const f of list) {
      batch.push(f.path);
      bytes += f.size;
      if (batch.length >= BATCH_FILES || bytes >= BATCH_BYTES) {
        await copyBatch(input, batch, emit, result);
        batch = [];
        bytes = 0;
      }
    }
    if (batch.length > 0) await copyBatch(input, batch, emit, result);
  } finally {
    rmSync(input.scratchFile, { force: true });
  }
  return result;
}

async function copyBatch(input: CopyInput, batch: string[], emit: (e: IndexEntry) => void, result: CopyResult): Promise<void> {
  if (input.signal?.aborted) throw new InterruptedError();
  result.batches++;
  writeNulList(input.scratchFile, batch);
  const hashes = new Map<string, Promise<HashedFile | undefined>>();
  const out = await rsyncMirror({
    srcRoot: input.srcRoot, dest: input.dest, filesFrom: input.scratchFile, exclude: input.exclude, signal: input.signal,
    onItem: (item) => {
      // `>f` received, `hf` a hardlink to a file of this batch: in place now, hash it
      if (item.code[1] === 'f' && (item.code[0] === '>' || item.code[0] === 'h')) {
        const p = hashIfPresent(input.pool, join(input.dest, item.name));
        p.catch(() => {}); // awaited in order below; never an unhandled rejection meanwhile
        hashes.set(item.name, p);
      }
      input.onItem?.(item);
    },
  });
  checkRsync(input, out, input.name);
  for (const path of batch) {
    // the sender logs a file once it has sent it; the receiver may rename it into place a moment
    // later, so a hash that found nothing is tried once more now that rsync has exited
    const h = (await hashes.get(path)) ?? (await hashIfPresent(input.pool, join(input.dest, path)));
    if (!h) {
      // gone before rsync read it (--ignore-missing-args is silent) or while it copied it (exit 24)
      result.vanished++;
      continue;
    }
    result.files++;
    result.bytes += h.size;
    emit(toIndexEntry(`${input.name}/${path}`, h, true));
  }
}
