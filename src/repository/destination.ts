/**
 * The one way into the destination: every command opens it here, which checks the marker and
 * mount point (invariant 4 of docs/invariants.md) and takes the lock its mode needs:
 * - exclusive: backup and rotate (the only writers of snapshots, `latest` and .state/);
 * - shared: verify, restore, drill: a reader file under .readers/ names each snapshot read,
 *   and rotation defers deleting it until the reader is done (or provably gone);
 * - check: list, status: marker and mount point only.
 */
import type { Config } from '../config/schema.js';
import { acquireLock, takeoverWarning, type AcquireOptions, type Lock } from './lock.js';
import { checkDestination, type Marker } from './marker.js';
import { openReader, type Reader } from './readers.js';
import { resolveSnapshot, type Snapshot } from './snapshots.js';
import { existsSync } from 'node:fs';

export type AccessMode = 'exclusive' | 'shared' | 'check';

export interface Destination {
  root: string;
  marker: Marker;
  mode: AccessMode;
  /** exclusive mode: the writer's lock */
  lock?: Lock;
  /** exclusive mode: "took over a stale lock of …", when one was */
  takeover?: string;
  /**
   * Resolves a snapshot spec and, in shared mode, holds it until release(). A snapshot being
   * deleted by a rotation that ran at that very moment is never returned: the spec is resolved
   * again (`latest` then names the newest), or its resolve error is thrown.
   */
  read(spec: string, opts?: { allowFailed?: boolean }): Promise<Snapshot>;
  /** holds snapshots already listed (verify --all); returns those still there */
  hold(snaps: Snapshot[]): Snapshot[];
  release(): void;
}

export interface OpenOptions extends Partial<AcquireOptions> {
  command: string;
}

const RESOLVE_ATTEMPTS = 20;

export function checkedDestination(config: Config): { root: string; marker: Marker } {
  const root = config.destination.root;
  return { root, marker: checkDestination(root, config.destination.requireMountpoint) };
}

/** Checks the destination, then takes the lock `mode` needs. */
export async function openDestination(config: Config, mode: AccessMode, opts: OpenOptions): Promise<Destination> {
  const { root, marker } = checkedDestination(config);
  return lockDestination(root, marker, mode, opts);
}

/** The second half of openDestination, for a caller with checks between marker and lock (backup). */
export async function lockDestination(root: string, marker: Marker, mode: AccessMode, opts: OpenOptions): Promise<Destination> {
  const lock = mode === 'exclusive' ? await acquireLock(root, opts) : undefined;
  let reader: Reader | undefined;
  const readerOf = () => (reader ??= openReader(root, opts.command));

  // Register first, then look: rotation renames first, then looks (rotate.ts). Either this
  // reader is seen and the snapshot is put back, or the snapshot is already gone here.
  const holdOne = (snap: Snapshot): boolean => {
    if (mode !== 'shared') return existsSync(snap.dir);
    readerOf().add(snap.id);
    if (existsSync(snap.dir)) return true;
    reader!.drop(snap.id);
    return false;
  };

  return {
    root,
    marker,
    mode,
    lock,
    takeover: lock ? takeoverWarning(lock) : undefined,
    async read(spec, o) {
      for (let attempt = 1; ; attempt++) {
        const snap = resolveSnapshot(root, spec, o);
        if (holdOne(snap)) return snap;
        if (attempt >= RESOLVE_ATTEMPTS) resolveSnapshot(root, snap.id, o); // throws "no snapshot …"
        await new Promise((r) => setTimeout(r, 100)); // a rotation may be putting it back
      }
    },
    hold(snaps) {
      return snaps.filter(holdOne);
    },
    release() {
      reader?.release();
      lock?.release();
    },
  };
}
