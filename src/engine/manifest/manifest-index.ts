/**
 * Reading manifest.index as a stream, and the sorted walk that produces it. Neither holds a
 * snapshot in memory: one directory listing per level of depth, one index line at a time.
 */
import { lstatSync, readdirSync, type Dirent, type Stats } from 'node:fs';
import { join } from 'node:path';
import { isSnapshotMetadata, layout } from '../../repository/layout.js';
import { parseIndexLine, sortDirEntries, type IndexEntry } from '../../repository/manifest-format.js';
import { readRecordsSync, seekLineSync } from '../../repository/read-records.js';

/**
 * Every regular file listed in <snapDir>/manifest.index, in manifest order (byte order of the
 * path). `isNew` marks the inodes that are new in that snapshot (hash computed in that run);
 * the others are shared with the previous snapshot. Throws ENOENT when the snapshot has no index.
 */
export async function* readManifestIndex(snapDir: string): AsyncIterable<IndexEntry> {
  yield* readManifestIndexSync(snapDir);
}

/**
 * The same, synchronously. Pulled line by line from 1 MB reads: readline's async iterator
 * queues every line the consumer has not taken yet, which for a slow consumer (the manifest
 * walk, lstat per file) meant the whole previous index in memory.
 */
export function* readManifestIndexSync(snapDir: string): Generator<IndexEntry> {
  let first = true;
  for (const line of readLinesSync(layout.manifestIndex(snapDir))) {
    if (first) {
      first = false;
      if (line.startsWith('#')) continue;
    }
    if (line) yield parseIndexLine(line);
  }
}

/**
 * The entries of one component (`<name>/…`) of a snapshot's index, paths relative to the
 * component. Lines of other components are skipped before they are parsed.
 */
export function* readComponentIndexSync(snapDir: string, name: string): Generator<IndexEntry> {
  for (const line of readComponentLinesSync(snapDir, name)) {
    const e = parseIndexLine(line);
    e.path = e.path.slice(name.length + 1);
    yield e;
  }
}

/** The same lines unparsed (snapshot-relative paths), found by bisecting the file. */
export function* readComponentLinesSync(snapDir: string, name: string): Generator<string> {
  const prefix = `${name}/`;
  const file = layout.manifestIndex(snapDir);
  const start = seekLineSync(file, prefix);
  let first = start === 0;
  for (const line of readRecordsSync(file, '\n', start)) {
    if (first) {
      first = false;
      if (line.startsWith('#')) continue;
    }
    if (!line) continue;
    const at = line.lastIndexOf('\t') + 1;
    if (!line.startsWith(prefix, at)) {
      if (line.slice(at) > prefix) return; // sorted: the component's lines are behind us
      continue;
    }
    yield line;
  }
}

export const readLinesSync = (path: string): Generator<string> => readRecordsSync(path, '\n');

export { isSnapshotMetadata };

export interface WalkedFile {
  path: string;
  st: Stats;
}

/** Regular files of a snapshot, depth-first, paths in byte order (the manifest's order). */
export function* walkSnapshotFiles(root: string): Generator<WalkedFile> {
  const base = root.endsWith('/') ? root : root + '/';
  // plain concatenation: path.join's normalisation is measurable at 100,000 files
  for (const rel of walkSnapshotPaths(root)) yield { path: rel, st: lstatSync(base + rel) };
}

/**
 * The one walker of a snapshot's data: paths of its regular files, depth-first, in byte order
 * (manifest.sha256's order), metadata left out (isSnapshotMetadata). Only directories are read:
 * the manifest stats each file itself, verify in its workers. One listing per level in memory.
 */
export function* walkSnapshotPaths(root: string): Generator<string> {
  const frames: { rel: string; entries: Dirent[]; i: number }[] = [];
  const open = (rel: string) => frames.push({ rel, entries: sortDirEntries(readdirSync(join(root, rel), { withFileTypes: true })), i: 0 });
  open('');
  while (frames.length > 0) {
    const top = frames[frames.length - 1];
    if (top.i >= top.entries.length) {
      frames.pop();
      continue;
    }
    const d = top.entries[top.i++];
    const rel = top.rel ? `${top.rel}/${d.name}` : d.name;
    if (!top.rel && isSnapshotMetadata(d.name)) continue;
    if (d.isDirectory()) open(rel);
    else if (d.isFile()) yield rel;
  }
}
