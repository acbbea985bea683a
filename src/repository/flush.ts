/**
 * One syncfs of the destination's filesystem (tools/sync.ts): what the command wrote reaches the
 * device before the command reports it (invariant 11 of docs/invariants.md). A guard, when
 * given, is asked before and after, so a disk that went away is named as that.
 */
import { DiskFaultError } from '../errors.js';
import { syncFilesystem } from '../tools/sync.js';
import type { DestinationGuard } from './guard.js';

export const DISK_TODO = 'check `dmesg` and `smartctl -a` for the disk, then unmount it, run `e2fsck -f` on it, mount it again and run the backup';

export async function flushDestination(path: string, what: string, guard?: DestinationGuard, signal?: AbortSignal): Promise<void> {
  guard?.check();
  const r = await syncFilesystem(path, signal);
  guard?.check();
  if (!r.ok) throw new DiskFaultError(`the backup disk did not confirm the writes of ${what} (${r.error}): it is not counted; ${DISK_TODO}`);
}
