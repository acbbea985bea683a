/**
 * What the steps of one backup run share (run-backup.ts starts them in order): where the run
 * writes, its log and signals, and the records every step adds to.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Progress } from '../log/progress.js';
import type { SnapshotRef } from '../repository/layout.js';
import type { BackupMeta } from '../repository/metadata.js';
import type { DestinationGuard } from '../repository/guard.js';
import type { Snapshot } from '../repository/snapshots.js';
import type { HashPool } from '../engine/index.js';
import { ToolError } from '../errors.js';

export interface Failure {
  step: string;
  error: string;
}

export interface RunState {
  config: Config;
  ref: SnapshotRef;
  prev: Snapshot | undefined;
  /** the `.partial` directory the run fills */
  partial: string;
  log: Logger;
  signal?: AbortSignal;
  progress: Progress;
  guard?: DestinationGuard;
  /** one hash pool for the run: copied files, the manifest and the message index */
  pool: HashPool;
  components: BackupMeta['components'];
  failures: Failure[];
  warnings: string[];
}

/** A step that failed: recorded in backup.json and the run's failures, logged with its tool's whole stderr. */
export function recordFailure(run: RunState, name: string, err: unknown, error: string, clog: Logger, extra: Record<string, unknown> = {}): void {
  run.failures.push({ step: name, error });
  clog.error({ err: error, ...extra }, `${name} failed`);
  // the program's whole stderr: for the log file and backup.log, never the terminal or the summary
  if (err instanceof ToolError && err.detail) clog.error({ terminal: false, stderr: err.detail }, `${name}: full error output`);
}
