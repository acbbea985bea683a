/**
 * `rm -rf` for expired snapshots: coreutils removes a 100k-file tree about twice as fast as
 * Node's recursive fs.rm, and an expired snapshot is exactly such a tree (docs/benchmarks.md). The tree is
 * split into subtrees (mailboxes, mostly) removed by one `rm` per core at once: unlinking is
 * per-directory kernel work, so separate directories proceed in parallel.
 */
import { lstatSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { InterruptedError, ToolError } from '../errors.js';
import { run } from './shell.js';

/**
 * Splits into many pieces (mailboxes and their folders, mostly) so that each rm gets a similar
 * share: a snapshot is a chain of single directories at the top (mail/vmail/<domain>), and
 * stopping at the first level with "enough" pieces left one rm with the whole mail store.
 * Never walks more than a few levels.
 * Never descends into another filesystem: a mount inside the tree stays for the final
 * `rm --one-file-system`, which refuses to cross into it.
 */
function subtrees(root: string, want: number): string[] {
  const dev = lstatSync(root).dev;
  const sameFs = (p: string) => {
    try {
      return lstatSync(p).dev === dev;
    } catch {
      return false;
    }
  };
  let level = [root];
  for (let depth = 0; depth < 5 && level.length < want * 16; depth++) {
    const next: string[] = [];
    for (const dir of level) {
      let children: string[] = [];
      try {
        children = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(dir, e.name)).filter(sameFs);
      } catch {
        /* vanished or unreadable: rm reports it */
      }
      next.push(...(children.length > 0 ? children : [dir]));
    }
    if (next.length === level.length) break; // nothing left to split
    level = next;
  }
  return level;
}

async function rmrf(root: string, paths: string[], signal?: AbortSignal): Promise<void> {
  if (paths.length === 0) return;
  const r = await run('rm', ['-rf', '--one-file-system', '--', ...paths], { signal });
  if (r.exitCode !== 0 && signal?.aborted) {
    throw new InterruptedError(`interrupted while removing ${root}; the next \`mailbackup rotate\` finishes it`);
  }
  if (r.exitCode !== 0) {
    throw new ToolError(`cannot remove ${root}: rm -rf failed (exit ${r.exitCode}): ${r.stderr.trim()}; remove it by hand, then run \`mailbackup rotate\``);
  }
}

/** Removes a directory tree; --one-file-system keeps a stray mount inside it safe. */
export async function removeTree(path: string, opts: { signal?: AbortSignal; parallel?: number } = {}): Promise<void> {
  const n = Math.max(1, opts.parallel ?? availableParallelism());
  if (n > 1) {
    const pieces = subtrees(path, n * 4).filter((p) => p !== path);
    const groups: string[][] = Array.from({ length: n }, () => []);
    pieces.forEach((p, i) => groups[i % n].push(p));
    await Promise.all(groups.map((g) => rmrf(path, g, opts.signal)));
  }
  await rmrf(path, [path], opts.signal); // what is left: the skeleton, loose files, or everything when n = 1
}
