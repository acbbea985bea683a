/**
 * What status needs to know about each offsite repository without asking it (status stays
 * fast and works offline): .state/offsite-<name>.json on the destination, written after every
 * push and check. Never inside a snapshot directory: offsite work leaves snapshots untouched.
 */
import type { Config } from '../config/schema.js';
import { checkDestination } from '../repository/marker.js';
import { readState, writeState } from '../repository/state.js';
import type { Subset } from './plan.js';

export interface OffsiteState {
  lastPush?: { at: string; snapshot: string; snapshotFinishedAt: string; resticId: string };
  lastPushError?: { at: string; error: string };
  lastCheck?: { at: string; mode: string; ok: boolean; error?: string };
  /** the part the last rolling check read */
  rollingPart?: Subset;
}

const name = (repo: string) => `offsite-${repo}`;

export function readOffsiteState(root: string, repo: string): OffsiteState {
  return readState<OffsiteState>(root, name(repo)) ?? {};
}

/**
 * Merges `patch` into the repository's state. Only on a mounted, marked destination (invariant
 * 4): `offsite check` also runs when the backup disk is away, and must not create .state/ on
 * the empty mount point. Throws the destination's error then; callers treat it as a warning.
 */
export function updateOffsiteState(config: Config, repo: string, patch: Partial<OffsiteState>): void {
  const root = config.destination.root;
  checkDestination(root, config.destination.requireMountpoint);
  writeState(root, name(repo), { ...readOffsiteState(root, repo), ...patch });
}
