/**
 * `rm -rf` for expired snapshots: coreutils removes a 100k-file tree about twice as fast as
 * Node's recursive fs.rm, and an expired snapshot is exactly such a tree (SPEC §7).
 */
import { InterruptedError, ToolError } from '../errors.js';
import { run } from './shell.js';

/** Removes a directory tree; --one-file-system keeps a stray mount inside it safe. */
export async function removeTree(path: string, opts: { signal?: AbortSignal } = {}): Promise<void> {
  const r = await run('rm', ['-rf', '--one-file-system', '--', path], { signal: opts.signal });
  if (r.exitCode !== 0 && opts.signal?.aborted) {
    throw new InterruptedError(`interrupted while removing ${path}; the next \`mailbackup rotate\` finishes it`);
  }
  if (r.exitCode !== 0) {
    throw new ToolError(`rm -rf ${path} failed (exit ${r.exitCode}): ${r.stderr.trim()}; remove it by hand, then run \`mailbackup rotate\``);
  }
}
