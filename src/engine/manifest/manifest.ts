/**
 * writeManifest: manifest.sha256 (standard sha256sum format) and manifest.index (our sidecar)
 * for a finished .partial, from what the engine already knows instead of a walk of it: each
 * synced component hands in its ComponentPart (component-part.ts) — lines of linked and copied
 * files in byte order, plus the few entries decided later — and the parts are merged, in the
 * manifest's byte order, top-level directory by top-level directory.
 *
 * Only what no component produced (the database dumps, a component that failed half-way) is
 * walked and hashed here; at most MAX_IN_FLIGHT hashes wait at once, written in walk order.
 */
import { readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ManifestResult, SyncOptions } from '../types.js';
import { createHashPool, type HashPool } from '../hash/pool.js';
import { DEFAULT_SCRATCH, type ComponentPart } from './component-part.js';
import { compareBytes, formatIndexLine, INDEX_HEADER, indexLineIsNew, indexLinePath, indexLineSize, sha256sumLine, sortDirEntries, type IndexEntry } from '../../repository/manifest-format.js';
import { readLinesSync, walkSnapshotPaths } from './manifest-index.js';
import { toIndexEntry, hashIfPresent } from '../copy/copy.js';
import { Appender } from './appender.js';
import { isSnapshotMetadata, layout } from '../../repository/layout.js';
import { InterruptedError } from '../../errors.js';
import { filesAndBytes, formatCount, formatDuration } from '../../log/units.js';

const MAX_IN_FLIGHT = 256;

/** One sorted stream of a part: its current line and the path that line sorts by. */
class Head {
  line: string | undefined;
  path = '';

  constructor(private readonly lines: Iterator<string>) {
    this.next();
  }

  next(): void {
    for (;;) {
      const r = this.lines.next();
      if (r.done) {
        this.line = undefined;
        return;
      }
      if (!r.value) continue;
      this.line = r.value;
      this.path = indexLinePath(r.value);
      return;
    }
  }

  /** holds `path` next (a later decision for the same path) */
  has(path: string): boolean {
    return this.line !== undefined && this.path === path;
  }
}

function* extraLines(extra: IndexEntry[]): Generator<string> {
  const sorted = [...extra].sort((a, b) => compareBytes(a.path, b.path));
  for (const e of sorted) yield formatIndexLine(e).slice(0, -1);
}

/**
 * One component's lines in byte order, handed to `emit`: the two sorted files and the sorted
 * extras, merged. The lines are passed on as written (not parsed and formatted again), and no
 * object is made per line: at 100,000 files that was most of the manifest's time.
 */
function mergePart(part: ComponentPart, emit: (line: string, path: string) => void): void {
  const heads = [new Head(readLinesSync(part.linkedFile)), new Head(readLinesSync(part.copiedFile)), new Head(extraLines(part.extra))];
  const [a, b, c] = heads;
  const removed = part.removed.size > 0 ? part.removed : undefined; // no hashing of every path for an empty set
  let last: string | undefined;
  for (;;) {
    let k: Head | undefined;
    for (const h of heads) if (h.line !== undefined && (!k || compareBytes(h.path, k.path) < 0)) k = h;
    if (!k) return;
    const line = k.line!;
    const path = k.path;
    k.next();
    // one path once (the later decision, listed last, wins a tie); removed names never
    if (path === last || removed?.has(path)) continue;
    if (a.has(path) || b.has(path) || c.has(path)) continue;
    last = path;
    emit(line, path);
  }
}

export async function writeManifest(
  partialDir: string,
  parts: ComponentPart[],
  opts: { log: Logger; pool?: HashPool; signal?: AbortSignal; progress?: SyncOptions['progress'] },
): Promise<ManifestResult> {
  const t0 = Date.now();
  const pool = opts.pool ?? createHashPool();
  const result: ManifestResult = { files: 0, bytes: 0, hashed: 0, reused: 0, byTop: {}, durationMs: 0 };
  const sha = new Appender(join(partialDir, '.manifest.sha256.tmp'));
  const idx = new Appender(join(partialDir, '.manifest.index.tmp'));
  const put = (line: string, path: string, top: string) => {
    sha.write(sha256sumLine(line.slice(0, 64), path));
    idx.write(line + '\n');
    const size = indexLineSize(line);
    result.files++;
    result.bytes += size;
    if (indexLineIsNew(line)) result.hashed++;
    else result.reused++;
    const t = (result.byTop[top] ??= { files: 0, bytes: 0 });
    t.files++;
    t.bytes += size;
  };
  try {
    idx.write(INDEX_HEADER);
    const byName = new Map(parts.map((p) => [p.name, p]));
    const tops = sortDirEntries(readdirSync(partialDir, { withFileTypes: true })).filter((d) => !isSnapshotMetadata(d.name));
    for (const top of tops) {
      if (opts.signal?.aborted) throw new InterruptedError();
      const part = top.isDirectory() ? byName.get(top.name) : undefined;
      if (part) {
        mergePart(part, (line, path) => put(line, path, top.name));
      } else if (top.isDirectory() || top.isFile()) {
        await hashWalked(partialDir, top.name, top.isDirectory(), pool, (e) => {
          opts.progress?.add(1, e.size);
          put(formatIndexLine(e).slice(0, -1), e.path, top.name);
        });
      }
    }
    await Promise.all([sha.durable(), idx.durable()]);
    renameSync(sha.path, layout.manifest(partialDir));
    renameSync(idx.path, layout.manifestIndex(partialDir));
  } finally {
    for (const w of [sha, idx]) {
      w.close();
      rmSync(w.path, { force: true });
    }
    for (const p of parts) for (const f of [p.linkedFile, p.copiedFile]) rmSync(f, { force: true });
    rmSync(join(partialDir, DEFAULT_SCRATCH), { recursive: true, force: true });
    if (!opts.pool) await pool.close();
  }
  result.durationMs = Date.now() - t0;
  const hashed = `${formatCount(result.hashed)} hashed, ${formatCount(result.reused)} shared with the previous snapshot`;
  opts.log.info({ step: 'manifest', ...result, byTop: undefined }, `manifest: ${filesAndBytes(result.files, result.bytes)} (${hashed}) in ${formatDuration(result.durationMs)}`);
  return result;
}

/** Files under one top-level name that no component described: hashed now, emitted in order. */
async function hashWalked(root: string, top: string, isDir: boolean, pool: HashPool, emit: (e: IndexEntry) => void): Promise<void> {
  const paths = isDir ? walkSnapshotPaths(join(root, top)) : [''];
  const queue: { path: string; hash: Promise<Awaited<ReturnType<typeof hashIfPresent>>> }[] = [];
  const drain = async (keep: number) => {
    while (queue.length > keep) {
      const { path, hash } = queue.shift()!;
      const h = await hash;
      if (h) emit(toIndexEntry(path, h, true));
    }
  };
  for (const rel of paths) {
    const path = rel ? `${top}/${rel}` : top;
    const hash = hashIfPresent(pool, join(root, path));
    hash.catch(() => {});
    queue.push({ path, hash });
    await drain(MAX_IN_FLIGHT);
  }
  await drain(0);
}
