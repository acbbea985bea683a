/**
 * The snapshot engine's public face (docs/architecture.md). The backup pipeline calls only these.
 * Implementation: sync.ts (clone.ts, reconcile.ts + reconcile-plan.ts, in-place.ts), manifest.ts
 * (manifest-format.ts, manifest-index.ts, patch-writer.ts, attr-guard.ts), hash.ts.
 */
import type { Logger } from 'pino';

export interface ComponentSpec {
  /** component directory name inside the snapshot: mail, ssl, dkim, config, logs */
  name: string;
  /**
   * What to copy. `dir`: mirror this directory's contents into <snapshot>/<name>/.
   * `entries`: paths relative to `base`, mirrored under <snapshot>/<name>/ by that relative path
   * (rsync -R), e.g. base=/srv/mail, entries=[docker-compose.yml, .env, config, scripts].
   */
  source: { dir: string } | { base: string; entries: string[] };
  /** rsync exclude patterns (relative to the component's root) */
  exclude?: string[];
  /** rename-aware linking of maildir messages (mail component only) */
  maildir?: boolean;
}

export interface ComponentSyncResult {
  files: number;
  bytes: number;
  /** regular files written as new inodes in this snapshot (not shared with prev) */
  addedFiles: number;
  addedBytes: number;
  /** messages renamed inside the clone instead of copied */
  linkedRenames: number;
  /** names that vanished between being listed and being copied (normal on a live store; no warning) */
  vanished: number;
  /** messages rsync missed while Dovecot moved them, copied by the completeness check */
  recovered: number;
  /** non-fatal trouble, e.g. a clone entry that could not be unlinked */
  warnings: string[];
  durationMs: number;
}

export interface SyncOptions {
  /** the snapshot being built: <kind>/<date>.partial */
  partialDir: string;
  /** the previous snapshot to hardlink-clone from, if any */
  prevDir?: string;
  log: Logger;
  signal?: AbortSignal;
  /** optional: files rsync receives are handed to it for hashing during the transfer (prehash.ts) */
  prehash?: { offer(snapshotRelPath: string): void };
  /** optional: told of every file rsync receives (live progress, src/log/progress.ts) */
  progress?: { add(files: number, bytes: number): void };
}

/** Hashes computed during rsync, for writeManifest: taken only if the file is still that inode, unchanged. */
export interface PrehashSource {
  take(snapshotRelPath: string, st: { ino: number; size: number; mtimeMs: number }): string | undefined;
}

export interface ManifestResult {
  files: number;
  bytes: number;
  /** files whose hash was computed (new inodes) vs reused from prev manifest.index */
  hashed: number;
  reused: number;
  /** new inodes whose hash was computed while rsync ran (PrehashSource), not hashed again */
  prehashed?: number;
  /** shared inodes whose mode/owner had changed under the previous snapshot, split and repaired */
  repaired?: number;
  /** files and bytes per top-level directory of the snapshot (mail, ssl, mysql, …) */
  byTop: Record<string, { files: number; bytes: number }>;
  durationMs: number;
}

export { createHashPool, sha256File, HASH_CHUNK, type HashPool } from './hash.js';
export { Prehasher, type PrehashStats, type PrehashOptions } from './prehash.js';
export { syncComponent } from './sync.js';
export { writeManifest } from './manifest.js';
export { readManifestIndex, readManifestIndexSync, walkSnapshotFiles, isSnapshotMetadata } from './manifest-index.js';
export { type IndexEntry, sha256sumLine, compareBytes } from './manifest-format.js';
