/**
 * Streams the regular files of a snapshot in the byte order of their paths, the order
 * manifest.sha256 is written in, so verify can merge the two streams without holding either in
 * memory (1,000,000 files within the RSS budget); the verify workers stat and hash in batches.
 */
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { walkSnapshotPaths } from '../engine/manifest/manifest-index.js';

export interface WalkedFile {
  /** path relative to the snapshot root, as in manifest.sha256 */
  rel: string;
  abs: string;
}

/** The engine's snapshot walker (one rule for what is metadata), for the verify and drill merges. */
export function* walkFiles(root: string): Generator<WalkedFile> {
  const base = join(root, '/'); // one join, not one per file (path.normalize cost 0.8 s at 1 M)
  for (const rel of walkSnapshotPaths(root)) yield { rel, abs: base + rel };
}

/** Inode identity of a path, or undefined when it does not exist. */
export async function inodeOf(path: string): Promise<string | undefined> {
  try {
    const st = await lstat(path);
    return `${st.dev}:${st.ino}`;
  } catch {
    return undefined;
  }
}
