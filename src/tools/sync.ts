/**
 * `sync -f PATH` (coreutils): syncfs(2) on the filesystem holding PATH. One call writes back
 * every dirty page and inode of that filesystem and, unlike fsync per file, costs one system
 * call per phase. Since Linux 5.8 it also reports a writeback error (EIO, ENOSPC of the device
 * below) that happened since the error was last seen, even when the kernel's own background
 * writeback met it before this call.
 */
import { run } from './shell.js';

export interface SyncResult {
  ok: boolean;
  /** sync's own words, e.g. "error syncing '/mnt/backup': Input/output error" */
  error?: string;
}

export async function syncFilesystem(path: string, signal?: AbortSignal): Promise<SyncResult> {
  // normal priority: the writeback is the kernel's; an idle-class sync would only wait longer
  const r = await run('sync', ['-f', '--', path], { normalPriority: true, signal });
  if (r.exitCode === 0) return { ok: true };
  const error = r.stderr.trim().split('\n').pop()?.replace(/^sync: /, '') || `exit ${r.exitCode}`;
  return { ok: false, error };
}
