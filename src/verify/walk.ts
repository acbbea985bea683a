/**
 * Streams the regular files of a snapshot (everything but the top-level metadata files) in the
 * byte order of their paths, the order manifest.sha256 is written in, so verify can merge the
 * two streams without holding either in memory (1,000,000 files within the RSS budget). Only
 * directories are read here; the verify workers stat and hash the files in batches.
 */
import type { Dirent } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { sortDirEntries } from '../engine/manifest-format.js';
import { METADATA_FILES } from '../repository/layout.js';

export interface WalkedFile {
  /** path relative to the snapshot root, as in manifest.sha256 */
  rel: string;
  abs: string;
}

const METADATA = new Set<string>(METADATA_FILES);
const isMetadata = (name: string) => METADATA.has(name) || /^\.(backup\.json|manifest\.)/.test(name);

interface Frame {
  rel: string;
  entries: Dirent[];
  next: number;
}

export async function* walkFiles(root: string): AsyncGenerator<WalkedFile> {
  const open = async (rel: string): Promise<Frame> => {
    const all = await readdir(join(root, rel), { withFileTypes: true });
    return { rel, entries: sortDirEntries(all.filter((e) => e.isDirectory() || e.isFile())), next: 0 };
  };
  const stack: Frame[] = [await open('')];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.next >= top.entries.length) {
      stack.pop();
      continue;
    }
    const e = top.entries[top.next++];
    const rel = top.rel ? `${top.rel}/${e.name}` : e.name;
    if (e.isDirectory()) stack.push(await open(rel));
    else if (top.rel || !isMetadata(e.name)) yield { rel, abs: join(root, rel) };
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
