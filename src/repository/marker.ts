/**
 * The destination marker (.mailbackup) proves the backup disk is mounted: without it the
 * path is just a directory on the root filesystem, and writing there would fill it (invariant 4 of docs/invariants.md).
 */
import { existsSync, mkdirSync, readFileSync, statSync, chmodSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DestinationError } from '../errors.js';
import { writeJsonAtomic } from './atomic.js';
import { layout } from './layout.js';

const FORMAT = 1;

export interface Marker {
  format: number;
  createdAt: string;
}

/** True when `p` is a mount point (its device differs from its parent's, or it is /). */
export function isMountPoint(p: string): boolean {
  const abs = resolve(p);
  if (abs === '/') return true;
  try {
    const self = statSync(abs);
    const parent = statSync(dirname(abs));
    return self.dev !== parent.dev || self.ino === parent.ino;
  } catch {
    return false;
  }
}

/** Checks everything that must hold before anything is written to the destination. */
export function checkDestination(root: string, requireMountpoint?: string): Marker {
  if (requireMountpoint && !isMountPoint(requireMountpoint)) {
    throw new DestinationError(
      `${requireMountpoint} is not a mount point: is the backup disk mounted? (mount it, e.g. \`mount ${requireMountpoint}\`, then run again)`,
    );
  }
  if (!existsSync(root)) {
    throw new DestinationError(
      `destination ${root} does not exist: is the disk mounted? run \`mailbackup init\` once on a new disk`,
    );
  }
  const markerPath = layout.marker(root);
  if (!existsSync(markerPath)) {
    throw new DestinationError(
      `destination ${root} has no .mailbackup marker: is the disk mounted? run \`mailbackup init\` once on a new disk`,
    );
  }
  let marker: Marker;
  try {
    marker = JSON.parse(readFileSync(markerPath, 'utf8')) as Marker;
  } catch (err) {
    throw new DestinationError(`marker ${markerPath} is unreadable (${(err as Error).message}); check the disk`);
  }
  if (marker.format !== FORMAT) {
    throw new DestinationError(
      `destination ${root} uses on-disk format ${marker.format}; this mailbackup understands format ${FORMAT}`,
    );
  }
  return marker;
}

/** `init`: create the root (0700) and marker; an existing marker is left as it is. */
export function prepareDestination(root: string): { created: boolean; marker: Marker } {
  mkdirSync(root, { recursive: true, mode: 0o700 });
  chmodSync(root, 0o700);
  const markerPath = layout.marker(root);
  if (existsSync(markerPath)) {
    return { created: false, marker: JSON.parse(readFileSync(markerPath, 'utf8')) as Marker };
  }
  const marker: Marker = { format: FORMAT, createdAt: new Date().toISOString() };
  writeJsonAtomic(markerPath, marker, 0o600);
  return { created: true, marker };
}
