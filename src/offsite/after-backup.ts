/**
 * The automatic push after a backup (`offsite.after`): called by the backup while it still
 * holds the destination lock, after promotion and rotation. It never throws: an offsite
 * failure is a warning of the run, never a failure of the local snapshot.
 */
import type { Config } from '../config/schema.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { SnapshotKind } from '../repository/layout.js';
import { pushAll, pushableSnapshot } from './push.js';

function pushDue(config: Config, kind: SnapshotKind): boolean {
  return config.offsite !== undefined && config.offsite.after === kind;
}

/** Returns the run's warnings: one per repository that failed or refused retention. */
export async function pushAfterBackup(config: Config, kind: SnapshotKind, snapshotId: string, log: Logger, signal?: AbortSignal): Promise<string[]> {
  if (!pushDue(config, kind)) return [];
  try {
    const snap = pushableSnapshot(config.destination.root, snapshotId);
    const r = await pushAll(config, snap, undefined, { log, signal });
    return [
      ...r.results.flatMap((x) => x.warnings),
      ...r.errors.map((e) => `offsite push failed (the local snapshot is fine): ${e.error.message}`),
    ];
  } catch (err) {
    if (signal?.aborted) throw err;
    const w = `offsite push failed (the local snapshot is fine): ${errorMessage(err)}`;
    log.warn({ step: 'offsite' }, w);
    return [w];
  }
}
