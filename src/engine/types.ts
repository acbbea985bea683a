/** What the backup pipeline hands the engine and gets back (the face, index.ts, re-exports them). */
import type { Logger } from 'pino';
import type { HashPool } from './hash/pool.js';
import type { FsPool } from './scan/fs-pool.js';
import type { ComponentPart } from './manifest/component-part.js';

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
  /** messages linked from their old name in the previous snapshot instead of copied */
  linkedRenames: number;
  /** names that vanished between being listed and being copied (normal on a live store; no warning) */
  vanished: number;
  /** messages rsync missed while Dovecot moved them, copied by the completeness check */
  recovered: number;
  /** non-fatal trouble */
  warnings: string[];
  durationMs: number;
  /** what the component adds to the manifest (writeManifest) */
  part: ComponentPart;
  /** with SyncOptions.deferAttributes: the component's last step (attributes, then the wait for its fsync), for the caller to run */
  finishAttributes?: () => Promise<void>;
}

export interface SyncOptions {
  /** the snapshot being built: <kind>/<date>.partial */
  partialDir: string;
  /** the previous snapshot to link unchanged files from, if any */
  prevDir?: string;
  /** scratch space for the plan's lists, best off the backup disk (default: <partialDir>/.engine.tmp) */
  scratchDir?: string;
  /** hashes the copied files as rsync delivers them (default: a pool of this call's own) */
  pool?: HashPool;
  /** the scan's listings and hardlinks on other threads (default: a pool of this call's own) */
  fsPool?: FsPool;
  log: Logger;
  signal?: AbortSignal;
  /**
   * Hand back the last step (directories' attributes and symlinks: one rsync, mostly its start-up;
   * then the wait for the fsync of the component's directory) as `finishAttributes` instead of
   * running it, so that the backup runs those of every component at once, beside the manifest.
   * Nothing else may write into the component after it.
   */
  deferAttributes?: boolean;
  /** optional: told of every file rsync receives (live progress, src/log/progress.ts) */
  progress?: { add(files: number, bytes: number): void; setTotals?(totals: { files: number; bytes: number }): void };
}

export interface ManifestResult {
  files: number;
  bytes: number;
  /** new inodes (hashed in this run) vs inodes shared with the previous snapshot (hash reused) */
  hashed: number;
  reused: number;
  /** files and bytes per top-level directory of the snapshot (mail, ssl, mysql, …) */
  byTop: Record<string, { files: number; bytes: number }>;
  durationMs: number;
}
