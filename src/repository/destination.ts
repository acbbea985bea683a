/**
 * The one way into the destination: every command opens it here, which checks the marker and
 * mount point (invariant 4 of docs/invariants.md) and takes the lock its mode needs:
 * - exclusive: backup and rotate (the only writers of snapshots, `latest` and .state/);
 * - shared: verify, restore, drill: a reader file under .readers/ names each snapshot read,
 *   and rotation defers deleting it until the reader is done (or provably gone); the protocol
 *   that keeps reading and deleting apart is in readers.ts;
 * - check: list, status: marker and mount point only.
 */
import { existsSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import { LockHeldError, SnapshotDeletedError, UsageError } from '../errors.js';
import type { JudgedIntent } from './deletion-intent.js';
import { describeHolder } from './holder.js';
import { acquireLock, takeoverWarning, type AcquireOptions, type Lock } from './lock.js';
import { checkDestination, type Marker } from './marker.js';
import { holdSnapshot, openReader, type HoldState, type Reader } from './readers.js';
import { resolveSnapshot, type Snapshot } from './snapshots.js';

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
   * Resolves a snapshot spec and, in shared mode, holds it until release(). A snapshot a
   * rotation is deleting at that very moment is never returned: the spec is resolved again
   * (`latest` then names the newest); a dated one that is gone gives SnapshotDeletedError.
   */
  read(spec: string, opts?: { allowFailed?: boolean }): Promise<Snapshot>;
  /** holds snapshots already listed (verify --all); returns those still there and not being deleted */
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

  let intent: JudgedIntent | undefined;
  const holdOne = (snap: Snapshot): HoldState => {
    if (mode !== 'shared') return existsSync(snap.dir) ? 'held' : 'gone';
    const got = holdSnapshot(readerOf(), root, snap);
    intent = got.intent;
    return got.state;
  };

  return {
    root,
    marker,
    mode,
    lock,
    takeover: lock ? takeoverWarning(lock) : undefined,
    async read(spec, o) {
      let seen: Snapshot | undefined;
      for (let attempt = 1; ; attempt++) {
        const snap = resolveAgain(root, spec, seen, o);
        const state = holdOne(snap);
        if (state === 'held') return snap;
        seen = snap;
        if (attempt >= RESOLVE_ATTEMPTS) throw notHeld(snap, state, intent);
        await new Promise((r) => setTimeout(r, 100)); // a rotation is deciding, or has renamed it away
      }
    },
    hold(snaps) {
      return snaps.filter((s) => holdOne(s) === 'held');
    },
    release() {
      reader?.release();
      lock?.release();
    },
  };
}

/** Resolves `spec`; once a dated snapshot was seen, its absence means a rotation deleted it. */
function resolveAgain(root: string, spec: string, seen: Snapshot | undefined, o?: { allowFailed?: boolean }): Snapshot {
  try {
    return resolveSnapshot(root, spec, o);
  } catch (err) {
    if (seen && err instanceof UsageError) throw deletedError(seen);
    throw err;
  }
}

function deletedError(snap: Snapshot): SnapshotDeletedError {
  return new SnapshotDeletedError(`snapshot ${snap.id} was deleted by a rotation as this command started; nothing was read from it. Pick another snapshot (\`mailbackup list\`)`);
}

function notHeld(snap: Snapshot, state: HoldState, intent: JudgedIntent | undefined): Error {
  if (state === 'gone' || !intent?.record) return deletedError(snap);
  const foreign = intent.verdict.kind === 'foreign' ? ` (${intent.verdict.reason}); if no mailbackup runs there on this disk, \`mailbackup unlock\` removes it` : '; run again when it is done';
  return new LockHeldError(`snapshot ${snap.id} is being deleted by ${describeHolder(intent.record)}${foreign}`);
}
