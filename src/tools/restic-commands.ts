/**
 * restic's commands that write, drop or read back data: backup, forget, check, restore (and the
 * stale-lock removal before the ones that need an exclusive lock). How restic is run, and what
 * its failures mean: restic.ts.
 */
import type { OffsiteRepository } from '../config/schema.js';
import { restic, resticError, resticOk } from './restic.js';
import type { RunResult } from './shell.js';

export interface BackupSummary {
  snapshot_id: string;
  files_new: number;
  files_changed: number;
  files_unmodified: number;
  data_added: number;
  total_files_processed: number;
  total_bytes_processed: number;
}

export interface BackupArgs {
  /** the directory to back up; restic runs in it and backs up `.` */
  dir: string;
  tags: string[];
  host: string;
  /** restic --time, local time "YYYY-MM-DD HH:MM:SS" */
  time: string;
  parent?: string;
}

/**
 * One restic snapshot of `dir`. --ignore-ctime: mailbackup hardlinks unchanged files into each
 * new snapshot, which changes their ctime but never their content, mtime or inode.
 * Exit 3 (some files unreadable) leaves an incomplete snapshot: it is removed and reported.
 */
export async function backupDirectory(repo: OffsiteRepository, a: BackupArgs, signal?: AbortSignal): Promise<BackupSummary> {
  const args = ['backup', '.', '--json', '--quiet', '--ignore-ctime', '--host', a.host, '--time', a.time];
  for (const t of a.tags) args.push('--tag', t);
  if (a.parent) args.push('--parent', a.parent);
  const r = await restic(repo, args, { cwd: a.dir, signal });
  const summary = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { message_type?: string } & BackupSummary)
    .find((m) => m.message_type === 'summary');
  if (r.exitCode === 3 && summary?.snapshot_id) {
    await restic(repo, ['forget', summary.snapshot_id], { signal });
    throw resticError(repo, `backing up ${a.dir} (some files could not be read; the incomplete snapshot was removed)`, r);
  }
  if (r.exitCode !== 0 || !summary) throw resticError(repo, `backing up ${a.dir}`, r);
  return summary;
}

/**
 * `restic unlock` without --remove-all removes only stale locks (their process gone on this
 * host, or older than 30 minutes). Restic 0.14 does not skip those when it needs an exclusive
 * lock (forget, prune, check), so a push killed midway would block them until someone unlocks.
 * Best effort: an append-only server refuses the delete, and the real command then reports.
 */
export async function unlockStale(repo: OffsiteRepository, signal?: AbortSignal): Promise<void> {
  await restic(repo, ['unlock'], { signal });
}

/** restic forget (+ prune); the result is returned so the caller can tell a refusal from a failure. */
export async function forget(repo: OffsiteRepository, args: string[], signal?: AbortSignal): Promise<RunResult> {
  await unlockStale(repo, signal);
  return restic(repo, ['forget', ...args], { signal });
}

export async function checkRepository(repo: OffsiteRepository, args: string[], signal?: AbortSignal): Promise<RunResult> {
  await unlockStale(repo, signal);
  return restic(repo, ['check', ...args], { signal });
}

export async function restoreSnapshot(repo: OffsiteRepository, id: string, target: string, signal?: AbortSignal): Promise<void> {
  await resticOk(repo, `restoring snapshot ${id}`, ['restore', id, '--target', target], { signal });
}
