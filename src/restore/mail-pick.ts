/**
 * `restore mail` with a header filter: the messages `find` selects for one user, each from the
 * newest snapshot holding it (or --snapshot S), skipped when already anywhere in the live
 * mailbox (find/live.ts), planned by pick-plan.ts and copied by the same applier as a merge.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { inPhase, NO_PROGRESS } from '../log/progress.js';
import { searchIndexes } from '../find/find.js';
import type { FoundMessage } from '../find/group.js';
import { LiveMailbox } from '../find/live.js';
import { liveStore, splitMessagePath } from '../find/live-path.js';
import { toQuery, type FindFilters } from '../find/query.js';
import { listFolderDirs } from '../mailbox/maildir.js';
import type { Destination } from '../repository/destination.js';
import { isOk, listSnapshots, type Snapshot } from '../repository/snapshots.js';
import { afterInPlace } from './dovecot-after.js';
import { checkTargetDir, confirm, requireEmptyOrYes, sampleLine } from './guard.js';
import { applyMailPlan } from './mail-apply.js';
import { folderName, type Address } from './names.js';
import { planPick, type PickCandidate } from './pick-plan.js';
import type { RestoreEnv, RestoreResult } from './result.js';

export interface PickOptions {
  filters: FindFilters;
  snapshot?: string;
  /** --to DIR: a standalone copy */
  toDir?: string;
  dryRun?: boolean;
  yes?: boolean;
  force?: boolean;
}

export async function restorePicked(env: RestoreEnv, dest: Destination, o: PickOptions, mode: 'copy' | 'merge', addr: Address, intoFolder: string | undefined): Promise<RestoreResult> {
  const { config, log } = env;
  const snaps: Snapshot[] = o.snapshot ? [await dest.read(o.snapshot, { allowFailed: o.force })] : dest.hold(listSnapshots(dest.root).filter(isOk));
  const found = searchIndexes(snaps, toQuery({ ...o.filters, user: addr.address }));
  if (found.searched.length === 0) throw new UsageError(`no snapshot${o.snapshot ? ` ${snaps[0]?.id}` : ''} has a messages.index to select from: run \`mailbackup index\` first`);
  const store = liveStore(config);
  const notFound = found.messages.length === 0 && o.filters.messageId ? 1 : 0;
  const first = found.messages[0] && splitMessagePath(store, found.messages[0].newest.path);
  const liveMailbox = first ? join(store.vmail, first.maildir) : undefined;

  const candidates: (PickCandidate & { m: FoundMessage; snapMaildir: string })[] = [];
  for (const m of found.messages) {
    const p = splitMessagePath(store, m.newest.path);
    const snap = snaps.find((s) => s.id === m.newest.snapshot);
    if (p && snap) candidates.push({ key: m.key, fromAbs: join(snap.dir, m.newest.path), dir: p.dir, sub: p.sub, name: p.name, m, snapMaildir: join(snap.dir, p.snapMaildir) });
  }
  if (intoFolder && liveMailbox && existsSync(join(liveMailbox, intoFolder))) {
    throw new UsageError(`folder ${folderName(intoFolder)} already exists in ${addr.address}; choose a new name for the recovered mail`);
  }
  const target = mode === 'copy' ? checkTargetDir(o.toDir!, [{ path: store.vmail, what: 'the live mail store' }, { path: dest.root, what: 'the backup destination' }]) : liveMailbox;
  if (mode === 'copy') requireEmptyOrYes(target!, o.yes);
  const there = new Set<string>();
  if (mode === 'merge' && liveMailbox) {
    const box = new LiveMailbox(liveMailbox);
    for (const c of candidates) if (await box.holds({ baseNames: c.m.baseNames, messageId: c.m.messageId, size: c.m.newest.size, sha256: c.m.newest.sha256 })) there.add(c.key);
  }
  const plan = planPick({ mode, candidates, there, targetFolders: target && existsSync(target) ? listFolderDirs(target) : [], intoFolder });
  const counts = () => ({ matched: found.messages.length, restore: plan.copy.length, alreadyThere: plan.alreadyThere.length, notFound });
  const lines = [
    `restore mail ${addr.address}: ${found.messages.length} message(s) match in ${found.searched.length} snapshot(s) → ${target ?? '(no mailbox)'} (${mode === 'copy' ? 'copy' : 'in place'})`,
    ...candidates.filter((c) => !there.has(c.key)).slice(0, 20).map((c) => `  ${c.m.newest.snapshot}  ${folderName(c.dir)}  ${c.m.subject}  <${c.m.messageId || 'no Message-ID'}>`),
    sampleLine('already in the live mailbox', plan.present),
  ];
  if (plan.createFolders.length) lines.push(sampleLine('folders to create', plan.createFolders.map(folderName)));
  const data = { user: addr.address, mode, target, searched: found.searched, dryRun: Boolean(o.dryRun), ...counts() };
  const summary = (restored: number) => `restored ${restored} / already there ${plan.alreadyThere.length} / not found ${notFound}`;
  if (o.dryRun || plan.copy.length === 0 || !target) {
    lines.push(o.dryRun ? `dry run: would restore ${plan.copy.length}, already there ${plan.alreadyThere.length}, not found ${notFound}` : summary(0));
    return { outcome: notFound ? 'warning' : 'ok', data: { ...data, restored: 0 }, lines };
  }
  if (mode === 'merge') await confirm(`add ${plan.copy.length} message(s) to the live mailbox ${addr.address}`, o.yes);
  // folders and a --to directory are made like the snapshot's copy of the mailbox
  const from = candidates[0].snapMaildir;
  const res = await inPhase(env.progress ?? NO_PROGRESS, `restore mail ${addr.address}`, { files: plan.copy.length }, (progress) =>
    applyMailPlan(plan, { from, to: target, subscribe: mode === 'merge', ownTarget: mode === 'copy', log, signal: env.signal, progress }));
  lines.push(summary(res.copied) + (res.alreadyThere ? ` (${res.alreadyThere} appeared meanwhile and were left alone)` : ''));
  if (res.foldersCreated.length) lines.push(`created folder(s): ${res.foldersCreated.join(', ')}`);
  const warnings = mode === 'merge' ? await afterInPlace(config, addr.address, lines, env.signal) : [];
  for (const w of warnings) log.warn(w);
  return { outcome: warnings.length || notFound ? 'warning' : 'ok', data: { ...data, restored: res.copied, foldersCreated: res.foldersCreated, warnings }, lines, written: [target] };
}
