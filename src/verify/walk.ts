/**
 * Streams the regular files of a snapshot (everything but the top-level metadata files), with
 * inode identity so files shared between hardlinked snapshots are hashed once. Directories are
 * read one at a time: memory stays flat however many files the snapshot holds.
 */
import { opendir, lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { METADATA_FILES } from '../repository/layout.js';

export interface WalkedFile {
  /** path relative to the snapshot root, as in manifest.sha256 */
  rel: string;
  abs: string;
  /** `${dev}:${ino}` */
  inode: string;
  size: number;
}

const METADATA = new Set<string>(METADATA_FILES);

export async function* walkFiles(root: string): AsyncGenerator<WalkedFile> {
  const stack: string[] = [''];
  while (stack.length > 0) {
    const relDir = stack.pop()!;
    const dir = await opendir(join(root, relDir));
    for await (const entry of dir) {
      const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) stack.push(rel);
      else if (entry.isFile()) {
        if (!relDir && (METADATA.has(entry.name) || entry.name.startsWith('.backup.json.'))) continue;
        const abs = join(root, rel);
        const st = await lstat(abs);
        yield { rel, abs, inode: `${st.dev}:${st.ino}`, size: st.size };
      }
    }
  }
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
