/**
 * `offsite push`: one restic snapshot per mailbackup snapshot, then the repository's retention.
 * Only a verified ok snapshot is pushed; restic only reads it (cwd = the snapshot directory,
 * backing up `.`, so a plain `restic restore` gives the snapshot directory's tree back).
 * A forget the server refuses (append-only) is a warning: the copy itself was made.
 */
import type { Config, OffsiteRepository } from '../config/schema.js';
import { errorMessage, MailbackupError, OffsiteError, UsageError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { isOk, resolveSnapshot, type Snapshot } from '../repository/snapshots.js';
import { classifyResticError, listResticSnapshots, redactUrl, resticError } from '../tools/restic.js';
import { backupDirectory, forget, type BackupSummary } from '../tools/restic-commands.js';
import { forgetArgs, planPush, type PushPlan } from './plan.js';
import { offsiteConfig, resticHost, selectRepositories } from './repos.js';
import { updateOffsiteState } from './state.js';

export interface PushResult {
  repository: string;
  snapshot: string;
  plan: PushPlan;
  summary?: BackupSummary;
  resticId?: string;
  retention: 'applied' | 'refused' | 'none' | 'dry-run';
  warnings: string[];
}

/** The snapshot a push may send: ok and verified (quick or better) without damage. */
export function pushableSnapshot(root: string, spec: string): Snapshot {
  const snap = resolveSnapshot(root, spec);
  const v = snap.meta?.verification;
  if (!isOk(snap) || !v || !v.ok) {
    throw new UsageError(`snapshot ${snap.id} is not a verified ok snapshot (${v ? 'its verification failed' : 'never verified'}): run \`mailbackup verify ${snap.id}\` first`);
  }
  return snap;
}

async function applyRetention(config: Config, repo: OffsiteRepository, log: Logger, signal?: AbortSignal): Promise<{ retention: PushResult['retention']; warning?: string }> {
  const args = forgetArgs(offsiteConfig(config).retention, resticHost(config));
  if (!args) return { retention: 'none' };
  const r = await forget(repo, args, signal);
  if (r.exitCode === 0) {
    log.info({ repository: repo.name }, 'offsite retention applied');
    return { retention: 'applied' };
  }
  if (classifyResticError(r.stderr) === 'forbidden') {
    const warning =
      `offsite repository ${repo.name} (${redactUrl(repo.url)}) refused to delete old snapshots: it is append-only (or its credentials may not delete), ` +
      'so its retention must run elsewhere, e.g. `restic forget --prune` with full rights on the server (docs/offsite.md)';
    log.warn({ repository: repo.name }, warning);
    return { retention: 'refused', warning };
  }
  throw resticError(repo, 'applying retention (restic forget --prune)', r);
}

export interface PushOptions {
  log: Logger;
  signal?: AbortSignal;
  dryRun?: boolean;
}

/** Pushes one snapshot to one repository and records the outcome for status. */
async function pushToRepository(config: Config, repo: OffsiteRepository, snap: Snapshot, o: PushOptions): Promise<PushResult> {
  const log = o.log.child({ step: 'offsite', repository: repo.name });
  try {
    const remote = await listResticSnapshots(repo, o.signal);
    const plan = planPush({ id: snap.id, date: snap.date, finishedAt: snap.meta!.finishedAt }, remote, resticHost(config));
    const result: PushResult = { repository: repo.name, snapshot: snap.id, plan, retention: 'none', warnings: [] };
    if (o.dryRun) return { ...result, retention: 'dry-run' };
    if (plan.action === 'skip') {
      log.info({ snapshot: snap.id, existing: plan.existing }, 'already in the offsite repository: nothing to push');
      result.resticId = plan.existing;
    } else {
      log.info({ snapshot: snap.id, parent: plan.parent?.slice(0, 8) }, 'pushing to the offsite repository');
      const summary = await backupDirectory(repo, { dir: snap.dir, tags: plan.tags, host: plan.host, time: plan.time, parent: plan.parent }, o.signal);
      Object.assign(result, { summary, resticId: summary.snapshot_id });
      log.info({ snapshot: snap.id, resticId: summary.snapshot_id, filesNew: summary.files_new, filesChanged: summary.files_changed, bytesAdded: summary.data_added }, 'pushed');
    }
    updateOffsiteState(config, repo.name, {
      lastPush: { at: new Date().toISOString(), snapshot: snap.id, snapshotFinishedAt: snap.meta!.finishedAt, resticId: result.resticId! },
      lastPushError: undefined,
    });
    const ret = await applyRetention(config, repo, log, o.signal);
    result.retention = ret.retention;
    if (ret.warning) result.warnings.push(ret.warning);
    return result;
  } catch (err) {
    if (!o.dryRun && !(err instanceof UsageError)) {
      try {
        updateOffsiteState(config, repo.name, { lastPushError: { at: new Date().toISOString(), error: errorMessage(err) } });
      } catch {
        /* the state is a side channel; the error below is what counts */
      }
    }
    throw err instanceof MailbackupError ? err : new OffsiteError(`offsite repository ${repo.name}: ${errorMessage(err)}`);
  }
}

export interface PushAllResult {
  results: PushResult[];
  /** one line per repository that failed; the others were still pushed */
  errors: { repository: string; error: MailbackupError }[];
}

/** Pushes to every selected repository; one failing repository does not stop the others. */
export async function pushAll(config: Config, snap: Snapshot, repoName: string | undefined, o: PushOptions): Promise<PushAllResult> {
  const out: PushAllResult = { results: [], errors: [] };
  for (const repo of selectRepositories(config, repoName)) {
    try {
      out.results.push(await pushToRepository(config, repo, snap, o));
    } catch (err) {
      if (o.signal?.aborted) throw err;
      const e = err instanceof MailbackupError ? err : new OffsiteError(errorMessage(err));
      o.log.error({ repository: repo.name, err: e.message }, 'offsite push failed');
      out.errors.push({ repository: repo.name, error: e });
    }
  }
  return out;
}
