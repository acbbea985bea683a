/**
 * What status needs to know about each offsite repository without asking it (status stays
 * fast and works offline): .state/offsite-<name>.json on the destination, written after every
 * push and check. Never inside a snapshot directory: offsite work leaves snapshots untouched.
 */
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

/** Merges `patch` into the repository's state. */
export function updateOffsiteState(root: string, repo: string, patch: Partial<OffsiteState>): void {
  writeState(root, name(repo), { ...readOffsiteState(root, repo), ...patch });
}
