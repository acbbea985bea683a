/**
 * `offsite restore SNAPSHOT --to DIR`: the restic snapshot back into DIR, which then looks
 * exactly like the local snapshot directory (manifest.sha256, backup.json, mysql/, mail/…), and
 * a full verification against its manifest. Works on a new machine with no backup disk.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config, OffsiteRepository } from '../config/schema.js';
import { DamageError, UsageError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { readMeta } from '../repository/metadata.js';
import type { Snapshot } from '../repository/snapshots.js';
import { listResticSnapshots } from '../tools/restic.js';
import { restoreSnapshot } from '../tools/restic-commands.js';
import { verifySnapshot, type VerifyReport } from '../verify/index.js';
import { resolvePushed } from './plan.js';

export interface OffsiteRestore {
  repository: string;
  snapshot: string;
  resticId: string;
  dir: string;
  verify: VerifyReport;
}

/** DIR must be new or empty: a restore never mixes with files already there. */
function prepareTarget(dir: string): string {
  const abs = resolve(dir);
  if (existsSync(abs) && readdirSync(abs).length > 0) throw new UsageError(`${abs} is not empty: restore into a new or empty directory`);
  mkdirSync(abs, { recursive: true, mode: 0o700 });
  return abs;
}

/** The restored directory as a Snapshot the verify and drill code can read. */
export function restoredSnapshot(dir: string, mailbackupId: string): Snapshot {
  const [kind, date] = mailbackupId.split('/') as [Snapshot['kind'], string];
  return { kind, date, id: mailbackupId, dir, meta: readMeta(dir) };
}

export async function restoreFromOffsite(
  _config: Config,
  repo: OffsiteRepository,
  spec: string,
  to: string,
  log: Logger,
  signal?: AbortSignal,
): Promise<OffsiteRestore> {
  const dir = prepareTarget(to);
  const remote = await listResticSnapshots(repo, signal);
  const found = resolvePushed(remote, spec, repo.name);
  log.info({ repository: repo.name, snapshot: found.mailbackupId, resticId: found.short_id, dir }, 'restoring from the offsite repository');
  await restoreSnapshot(repo, found.id, dir, signal);
  const snap = restoredSnapshot(dir, found.mailbackupId);
  const verify = await verifySnapshot(snap, { level: 'full', log, signal });
  const result = { repository: repo.name, snapshot: found.mailbackupId, resticId: found.short_id, dir, verify };
  if (!verify.ok) {
    const what = verify.determined ? verify.damaged.slice(0, 5).map((d) => `${d.path}: ${d.problem}`).join('; ') : verify.reason;
    throw Object.assign(new DamageError(`restored ${found.mailbackupId} from ${repo.name} into ${dir}, but it does not match its manifest: ${what}`), { result });
  }
  log.info({ snapshot: found.mailbackupId, files: verify.checked.files, bytes: verify.checked.bytes }, 'restored and verified against its manifest');
  return result;
}
