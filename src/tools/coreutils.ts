/** coreutils mailbackup spawns. cp -al is the fastest way to clone a whole snapshot as hardlinks (the weekly from the daily, backup/weekly.ts). */
import { run } from './shell.js';
import { ToolError } from '../errors.js';

/**
 * `cp -al SRC DEST`: DEST (must not exist) becomes a tree of new directories whose files,
 * symlinks included, are hardlinks to SRC's. Directory modes/owners/times are copied (-a).
 */
export async function hardlinkClone(src: string, dest: string, signal?: AbortSignal): Promise<void> {
  const r = await run('cp', ['-al', '--', src, dest], { signal });
  if (r.exitCode !== 0) {
    throw new ToolError(
      `cp -al ${src} ${dest} failed (exit ${r.exitCode}): ${r.stderr.trim().split('\n').slice(-5).join('; ')}; ` +
        'check free space and inodes on the backup disk (df -i) and that both are on one filesystem',
    );
  }
}
