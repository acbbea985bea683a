/**
 * One syncfs of the destination's filesystem (tools/sync.ts): what the command wrote reaches the
 * device before the command reports it (invariant 11 of docs/invariants.md). A guard, when
 * given, is asked before and after, so a disk that went away is named as that.
 */
import { DiskFaultError } from '../errors.js';
import { syncFilesystem } from '../tools/sync.js';
import { repairAdvice } from './disk-health.js';
import type { DestinationGuard } from './guard.js';

/** A flush that the device refused: `what` was written, `error` is sync's own words. */
export function unconfirmedWrites(what: string, error?: string): DiskFaultError {
  return new DiskFaultError(`the backup disk did not confirm the writes of ${what} (${error}): it is not counted; ${repairAdvice()}`);
}

export async function flushDestination(path: string, what: string, guard?: DestinationGuard, signal?: AbortSignal): Promise<void> {
  guard?.check();
  const r = await syncFilesystem(path, signal);
  guard?.check();
  if (!r.ok) throw unconfirmedWrites(what, r.error);
}
