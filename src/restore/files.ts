/**
 * `restore files --component C (--to DIR | --in-place)`: certbot (live→archive symlinks kept),
 * DKIM keys, config entries, logs. In place, every entry that differs is saved under safety/
 * before rsync puts the snapshot's version there; entries only live are left alone.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sourcePath } from '../config/load.js';
import { DamageError, UsageError } from '../errors.js';
import { inPhase, NO_PROGRESS } from '../log/progress.js';
import { layout } from '../repository/layout.js';
import { openDestination, type Destination } from '../repository/destination.js';
import { copyTree } from '../tools/rsync-restore.js';
import { liveLocation, type RestorableComponent } from './components.js';
import { planFiles, isNoop, type FilesPlan } from './files-plan.js';
import { checkTargetDir, confirm, requireEmptyOrYes, sampleLine } from './guard.js';
import type { RestoreEnv, RestoreResult } from './result.js';
import { openSafetyDir } from './safety.js';
import { walkTree } from './tree.js';

export interface RestoreFilesOptions {
  component: RestorableComponent;
  to?: string;
  inPlace?: boolean;
  snapshot?: string;
  dryRun?: boolean;
  yes?: boolean;
  force?: boolean;
}

function filesPlanLines(p: FilesPlan): string[] {
  return [
    sampleLine('to create', p.create),
    sampleLine('to replace (saved to safety/ first)', p.replace),
    `  unchanged: ${p.unchanged.length}`,
    sampleLine('live only (left alone)', p.extraLive),
    ...(p.conflicts.length ? [sampleLine('CONFLICTS (type differs; refused)', p.conflicts)] : []),
  ];
}

export async function restoreFiles(env: RestoreEnv, o: RestoreFilesOptions): Promise<RestoreResult> {
  if (Boolean(o.to) === Boolean(o.inPlace)) {
    throw new UsageError('say where to restore: --to DIR (a separate copy) or --in-place (over the live files), not both');
  }
  const dest = await openDestination(env.config, 'shared', { command: `restore files ${o.component}` });
  try {
    return await restoreHeld(env, dest, o);
  } finally {
    dest.release();
  }
}

async function restoreHeld(env: RestoreEnv, dest: Destination, o: RestoreFilesOptions): Promise<RestoreResult> {
  const { config } = env;
  const root = dest.root;
  const snap = await dest.read(o.snapshot ?? 'latest', { allowFailed: o.force });
  const from = layout.component(snap.dir, o.component);
  if (!existsSync(from)) throw new UsageError(`snapshot ${snap.id} has no ${o.component}/ component; see \`mailbackup list\` for other snapshots`);
  const snapTree = walkTree(from);

  if (o.to) {
    const to = checkTargetDir(o.to, [
      { path: root, what: 'the backup destination' },
      { path: config.source.root, what: 'the live server (source.root); use --in-place to restore over it' },
      { path: sourcePath(config, config.source.mail), what: 'the live mail store' },
    ]);
    requireEmptyOrYes(to, o.yes);
    const lines = [`restore files ${o.component} from ${snap.id} → ${to}`, sampleLine('to copy', [...snapTree.keys()])];
    if (o.dryRun) {
      return { outcome: 'ok', data: { snapshot: snap.id, component: o.component, to, entries: snapTree.size, dryRun: true }, lines: [...lines, 'dry run: nothing was changed'] };
    }
    const c = snap.meta?.components?.[o.component];
    await inPhase(env.progress ?? NO_PROGRESS, `restore ${o.component}`, c && { files: c.files, bytes: c.bytes }, (progress) =>
      copyTree(from, to, { ignoreExisting: true, signal: env.signal, progress }));
    return { outcome: 'ok', data: { snapshot: snap.id, component: o.component, to, entries: snapTree.size }, lines: [...lines, `copied ${snapTree.size} entries to ${to}`], written: [to] };
  }

  const live = liveLocation(config, o.component);
  if (!live) throw new UsageError(`source.${o.component} is not configured, so there is no live location; use --to DIR`);
  const liveTree = walkTree(live, o.component === 'config' ? topLevel(snapTree) : undefined);
  const plan = planFiles(snapTree, liveTree);
  const lines = [`restore files ${o.component} from ${snap.id} → ${live} (in place)`, ...filesPlanLines(plan)];
  const summary = { snapshot: snap.id, component: o.component, target: live, plan: counts(plan) };
  if (o.dryRun || isNoop(plan)) {
    return { outcome: 'ok', data: { ...summary, dryRun: Boolean(o.dryRun) }, lines: [...lines, o.dryRun ? 'dry run: nothing was changed' : 'nothing to do: the live files match the snapshot'] };
  }
  if (plan.conflicts.length) {
    throw new UsageError(`${plan.conflicts.length} live entr${plan.conflicts.length === 1 ? 'y has' : 'ies have'} another type than in the snapshot (${plan.conflicts.slice(0, 3).join(', ')}); move them away by hand, or restore --to DIR and compare`);
  }
  await confirm(`write ${plan.create.length + plan.replace.length} entries into ${live} (${plan.replace.length} replaced, saved to safety/ first)`, o.yes);
  const { log } = env;
  const safety = await openSafetyDir(config, `restore files ${o.component}`);
  let savedTo: string | undefined;
  try {
    if (plan.replace.length) {
      savedTo = join(safety.dir, 'files', o.component);
      await copyTree(live, savedTo, { paths: plan.replace, liveSource: true, signal: env.signal });
      log.info({ saved: plan.replace.length, to: savedTo }, `${plan.replace.length} live entries saved to ${savedTo}`);
    }
    safety.record({ command: `restore files --component ${o.component} --in-place`, snapshot: snap.id, saved: savedTo ? [{ live, copy: savedTo }] : [], note: `${plan.replace.length} replaced, ${plan.create.length} created` });
    await inPhase(env.progress ?? NO_PROGRESS, `restore ${o.component}`, { files: plan.create.length + plan.replace.length }, (progress) =>
      copyTree(from, live, { paths: [...plan.create, ...plan.replace], signal: env.signal, progress }));
  } finally {
    safety.release();
  }
  const after = planFiles(snapTree, walkTree(live, o.component === 'config' ? topLevel(snapTree) : undefined));
  if (!isNoop(after)) {
    throw new DamageError(`after the restore ${after.create.length + after.replace.length} entries still differ from the snapshot (${[...after.create, ...after.replace].slice(0, 3).join(', ')}); the previous files are in ${safety.dir}`);
  }
  lines.push(`restored ${plan.create.length} new and ${plan.replace.length} replaced entries${savedTo ? `; previous versions in ${savedTo}` : ''}`);
  return { outcome: 'ok', data: { ...summary, safety: safety.dir }, lines, written: [live, safety.dir] };
}

function topLevel(tree: Map<string, unknown>): string[] {
  return [...tree.keys()].filter((p) => !p.includes('/'));
}

function counts(p: FilesPlan) {
  return { create: p.create.length, replace: p.replace.length, unchanged: p.unchanged.length, extraLive: p.extraLive.length, conflicts: p.conflicts.length };
}
