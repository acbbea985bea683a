/**
 * `offsite init|push|list|check|restore`: the encrypted offsite copy on restic (docs/offsite.md).
 * Exit status: 0 ok; 1 warnings (an append-only repository refused retention, a password file
 * readable by others); 2 a repository unreachable, a wrong password, damage found, or a restore
 * that does not match its manifest; 64 unknown repository or snapshot; 78 no `offsite:` block.
 * Offsite work only reads local snapshots; push holds the destination lock so rotation waits.
 */
import type { Context } from '../cli/context.js';
import { ExitCode, MailbackupError } from '../errors.js';
import { checkModeFrom, checkOne, type CheckResult } from '../offsite/check.js';
import { initOffsite } from '../offsite/init.js';
import { mailOffsiteRun } from '../offsite/notify.js';
import { TAG } from '../offsite/plan.js';
import { pushAll, pushableSnapshot } from '../offsite/push.js';
import { resticHost, selectRepositories, withDestinationReader } from '../offsite/repos.js';
import { restoreFromOffsite } from '../offsite/restore.js';
import { listResticSnapshots, type ResticSnapshot } from '../tools/restic.js';

interface RepoOpt {
  repo?: string;
}

/** @public cli/register/offsite.ts loads it by name (offLoad), which knip cannot follow. */
export async function init(ctx: Context, opts: RepoOpt): Promise<number> {
  const config = ctx.config();
  const { log } = ctx.runLog();
  const results = [];
  for (const repo of selectRepositories(config, opts.repo)) results.push(await initOffsite(repo, resticHost(config), log, ctx.signal));
  ctx.result({ repositories: results }, results.flatMap((r) => [
    `${r.repository}: ${r.created ? 'created' : 'already exists'}${r.passwordCreated ? `; new random password in ${r.passwordFile}` : ''}`,
    ...r.warnings.map((w) => `  warning: ${w}`),
    ...r.recoveryKit,
    '',
  ]));
  return results.some((r) => r.warnings.length) ? ExitCode.WARNING : ExitCode.OK;
}

/** @public cli/register/offsite.ts loads it by name (offLoad), which knip cannot follow. */
export async function push(ctx: Context, opts: RepoOpt & { dryRun?: boolean }, spec = 'latest'): Promise<number> {
  const config = ctx.config();
  const { log, lines } = ctx.runLog();
  const startedAt = new Date().toISOString();
  const repos = selectRepositories(config, opts.repo);
  const { snap, out } = await withDestinationReader(config, 'offsite push', async (dest) => {
    const snap = pushableSnapshot(dest.root, spec);
    if (dest.hold([snap]).length === 0) throw new MailbackupError(`snapshot ${snap.id} was deleted by a rotation just now; push another one (see \`mailbackup list\`)`);
    return { snap, out: await pushAll(config, snap, opts.repo, { log, signal: ctx.signal, dryRun: opts.dryRun }) };
  });
  const warnings = out.results.flatMap((r) => r.warnings);
  const code = out.errors.length ? out.errors[0].error.exitCode : warnings.length ? ExitCode.WARNING : ExitCode.OK;
  const human = [
    ...out.results.map((r) =>
      r.plan.action === 'skip'
        ? `${r.repository}: ${snap.id} already there (${r.plan.existing}), nothing to push`
        : opts.dryRun
          ? `${r.repository}: would push ${snap.id}${r.plan.parent ? ` (parent ${r.plan.parent.slice(0, 8)})` : ' (first push: everything)'}`
          : `${r.repository}: pushed ${snap.id} as ${r.resticId}: ${r.summary?.files_new} new, ${r.summary?.files_changed} changed, ${r.summary?.files_unmodified} unchanged files, ${r.summary?.data_added} bytes added; retention ${r.retention}`,
    ),
    ...warnings.map((w) => `warning: ${w}`),
    ...out.errors.map((e) => `FAILED: ${e.error.message}`),
  ];
  ctx.result({ snapshot: snap.id, repositories: repos.map((r) => r.name), results: out.results, errors: out.errors.map((e) => ({ repository: e.repository, error: e.error.message })), exitCode: code }, human);
  if (!opts.dryRun) {
    await mailOffsiteRun(config, { command: 'offsite push', exitCode: code, failures: out.errors.map((e) => ({ step: `offsite ${e.repository}`, error: e.error.message })), warnings, snapshot: snap.id, startedAt, lines }, log);
  }
  return code;
}

/** @public cli/register/offsite.ts loads it by name (offLoad), which knip cannot follow. */
export async function list(ctx: Context, opts: RepoOpt): Promise<number> {
  const config = ctx.config();
  const out: { repository: string; snapshots: ResticSnapshot[] }[] = [];
  for (const repo of selectRepositories(config, opts.repo)) out.push({ repository: repo.name, snapshots: await listResticSnapshots(repo, ctx.signal) });
  const id = (s: ResticSnapshot) => s.tags?.find((t) => t !== TAG) ?? '?';
  ctx.result({ repositories: out.map((o) => ({ repository: o.repository, snapshots: o.snapshots.map((s) => ({ snapshot: id(s), resticId: s.short_id, time: s.time, host: s.hostname })) })) },
    out.flatMap((o) => [`${o.repository}: ${o.snapshots.length} snapshot(s)`, ...o.snapshots.map((s) => `  ${id(s).padEnd(18)} ${s.short_id}  ${s.time.slice(0, 19)}  ${s.hostname}`)]));
  return ExitCode.OK;
}

/** @public cli/register/offsite.ts loads it by name (offLoad), which knip cannot follow. */
export async function check(ctx: Context, opts: RepoOpt & { readData?: boolean; readDataSubset?: string | boolean }): Promise<number> {
  const config = ctx.config();
  const { log, lines } = ctx.runLog();
  const startedAt = new Date().toISOString();
  const mode = checkModeFrom(opts);
  const results: CheckResult[] = [];
  for (const repo of selectRepositories(config, opts.repo)) results.push(await checkOne(config, repo, mode, log, ctx.signal));
  const failed = results.filter((r) => !r.ok);
  const code = failed.length ? ExitCode.FAILED : ExitCode.OK;
  ctx.result({ results, exitCode: code }, results.map((r) => (r.ok ? `${r.repository}: ok (${r.mode})` : `${r.repository}: ${r.damage ? 'DAMAGED' : 'FAILED'}: ${r.error}`)));
  await mailOffsiteRun(config, { command: 'offsite check', exitCode: code, failures: failed.map((r) => ({ step: `offsite ${r.repository}`, error: r.error ?? 'failed' })), warnings: [], startedAt, lines }, log);
  return code;
}

/** @public cli/register/offsite.ts loads it by name (offLoad), which knip cannot follow. */
export async function restore(ctx: Context, opts: RepoOpt & { to: string }, spec: string): Promise<number> {
  const config = ctx.config();
  const { log } = ctx.runLog();
  const [repo] = selectRepositories(config, opts.repo); // without --repo: the first configured one
  const r = await restoreFromOffsite(config, repo, spec, opts.to, log, ctx.signal);
  ctx.result(r, [`restored ${r.snapshot} from ${r.repository} (${r.resticId}) into ${r.dir}: ${r.verify.checked.files} files match manifest.sha256`]);
  return ExitCode.OK;
}

