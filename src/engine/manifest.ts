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
import type { ManifestResult, SyncOptions } from './index.js';
import { createHashPool, type HashPool } from './hash.js';
import { DEFAULT_SCRATCH, type ComponentPart } from './component-part.js';
import { compareBytes, formatIndexLine, INDEX_HEADER, indexLineIsNew, indexLinePath, indexLineSize, sha256sumLine, sortDirEntries, type IndexEntry } from './manifest-format.js';
import { readLinesSync, walkSnapshotPaths } from './manifest-index.js';
import { toIndexEntry, hashIfPresent } from './copy.js';
import { PatchWriter } from './patch-writer.js';
import { isSnapshotMetadata, layout } from '../repository/layout.js';
import { InterruptedError } from '../errors.js';
import { filesAndBytes, formatCount, formatDuration } from '../log/units.js';

const MAX_IN_FLIGHT = 256;

/** An index line as a part file holds it, and the path it sorts by. */
interface PartLine {
  path: string;
  line: string;
}

function* linesOf(path: string): Generator<PartLine> {
  for (const line of readLinesSync(path)) if (line) yield { path: indexLinePath(line), line };
}

function* extraLines(extra: IndexEntry[]): Generator<PartLine> {
  const sorted = [...extra].sort((a, b) => compareBytes(a.path, b.path));
  for (const e of sorted) yield { path: e.path, line: formatIndexLine(e).slice(0, -1) };
}

/**
 * One component's lines in byte order: the two sorted files and the sorted extras, merged. The
 * lines are passed on as written (not parsed and formatted again: at 100,000 files that was
 * most of the manifest's time).
 */
function* mergePart(part: ComponentPart): Generator<PartLine> {
  const streams = [linesOf(part.linkedFile), linesOf(part.copiedFile), extraLines(part.extra)];
  const heads = streams.map((s) => s.next().value as PartLine | undefined);
  let last: string | undefined;
  const removed = part.removed.size > 0 ? part.removed : undefined; // no hashing of every path for an empty set
  for (;;) {
    let k = -1;
    for (let i = 0; i < heads.length; i++) {
      if (heads[i] && (k < 0 || compareBytes(heads[i]!.path, heads[k]!.path) < 0)) k = i;
    }
    if (k < 0) return;
    const e = heads[k]!;
    heads[k] = streams[k].next().value as PartLine | undefined;
    // one path once (the later decision, listed last, wins a tie); removed names never
    if (e.path === last || removed?.has(e.path)) continue;
    if (heads.some((h) => h?.path === e.path)) continue;
    last = e.path;
    yield e;
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
  const sha = new PatchWriter(join(partialDir, '.manifest.sha256.tmp'));
  const idx = new PatchWriter(join(partialDir, '.manifest.index.tmp'));
  const put = ({ path, line }: PartLine, top: string) => {
    sha.write(sha256sumLine(line.slice(0, 64), path));
    idx.write(line);
    idx.write('\n');
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
        for (const e of mergePart(part)) put(e, top.name);
      } else if (top.isDirectory() || top.isFile()) {
        await hashWalked(partialDir, top.name, top.isDirectory(), pool, (e) => {
          opts.progress?.add(1, e.size);
          put({ path: e.path, line: formatIndexLine(e).slice(0, -1) }, top.name);
        });
      }
    }
    sha.finish();
    idx.finish();
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
