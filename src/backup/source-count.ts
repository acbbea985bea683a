/**
 * The totals a first backup's progress line counts towards: regular files and bytes under a
 * component's source, walked beside rsync (it never delays the copy; the line shows counts and
 * rate until the totals arrive). Excludes are not applied, so the totals may be a little high;
 * the progress model never claims 100 % before the phase ends. Later backups take no count:
 * rsync then receives only what changed, which no total from before can predict.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ComponentSpec } from '../engine/index.js';

export interface SourceCount {
  files: number;
  bytes: number;
}

const STATS_AT_ONCE = 64;

async function walk(dir: string, acc: SourceCount, stop: AbortSignal): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return; // vanished or unreadable: rsync reports what matters
  }
  const files = entries.filter((e) => e.isFile());
  for (let i = 0; i < files.length && !stop.aborted; i += STATS_AT_ONCE) {
    const sizes = await Promise.all(files.slice(i, i + STATS_AT_ONCE).map((e) => lstat(join(dir, e.name)).then((s) => s.size, () => 0)));
    acc.files += sizes.length;
    acc.bytes += sizes.reduce((a, b) => a + b, 0);
  }
  for (const e of entries) {
    if (stop.aborted) return;
    if (e.isDirectory()) await walk(join(dir, e.name), acc, stop);
  }
}

/** Resolves with the totals, or undefined when `stop` fired first (the copy was quicker). */
export async function countSource(spec: ComponentSpec, stop: AbortSignal): Promise<SourceCount | undefined> {
  const acc: SourceCount = { files: 0, bytes: 0 };
  if ('dir' in spec.source) await walk(spec.source.dir, acc, stop);
  else {
    for (const e of spec.source.entries) {
      const p = join(spec.source.base, e);
      const st = await lstat(p).catch(() => undefined);
      if (st?.isFile()) {
        acc.files++;
        acc.bytes += st.size;
      } else if (st?.isDirectory()) await walk(p, acc, stop);
    }
  }
  return stop.aborted ? undefined : acc;
}
