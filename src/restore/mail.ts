/**
 * `restore mail`: validate, resolve the snapshot and mailbox, plan, print the plan, confirm,
 * apply, then let Dovecot catch up. The decisions are in mail-plan.ts, the mailbox is found by
 * mail-source.ts; this file wires them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { inPhase, NO_PROGRESS } from '../log/progress.js';
import { openDestination, type Destination } from '../repository/destination.js';
import { hasHeaderFilter } from '../find/query.js';
import { vmailDir } from '../mailbox/layout.js';
import { listFolderDirs, listMessages, liveBaseNames } from '../mailbox/maildir.js';
import { afterInPlace } from './dovecot-after.js';
import { checkTargetDir, confirm, requireEmptyOrYes, sampleLine } from './guard.js';
import { applyMailPlan } from './mail-apply.js';
import { restorePicked } from './mail-pick.js';
import { countsOf, planMail, type MailMode, type MailPlan } from './mail-plan.js';
import { replaceMailEntries } from './mail-replace.js';
import { locateMailbox, metadataFiles, type MailSource } from './mail-source.js';
import { checkFolderName, folderDir, folderName, parseAddress, parseDate, type Address } from './names.js';
import type { RestoreEnv, RestoreResult } from './result.js';
import { openSafetyDir, safetyStamp } from './safety.js';

export interface RestoreMailOptions {
  user: string;
  from?: string;
  /** the To filter (--recipient: --to names the target directory here) */
  recipient?: string;
  subject?: string;
  messageId?: string;
  folder?: string;
  since?: string;
  until?: string;
  to?: string;
  inPlace?: boolean;
  mode?: 'merge' | 'replace';
  intoFolder?: string;
  snapshot?: string;
  dryRun?: boolean;
  yes?: boolean;
  force?: boolean;
}

function checkFlags(o: RestoreMailOptions): MailMode {
  if (Boolean(o.to) === Boolean(o.inPlace)) {
    throw new UsageError('say where to restore: --to DIR (a separate copy) or --in-place (into the live mailbox), not both');
  }
  if (o.to) {
    if (o.intoFolder) throw new UsageError('--into-folder works with --in-place only');
    return 'copy';
  }
  if (o.mode === 'replace') {
    if (o.since || o.until) throw new UsageError('--since/--until select messages to merge; --mode replace restores whole folders');
    if (o.intoFolder) throw new UsageError('--into-folder works with --mode merge only');
    return 'replace';
  }
  return 'merge';
}

export async function restoreMail(env: RestoreEnv, o: RestoreMailOptions): Promise<RestoreResult> {
  if (!o.user) throw new UsageError('say whose mail to restore: --user ADDRESS (e.g. alice@example.com)');
  const mode = checkFlags(o);
  const addr = parseAddress(o.user);
  if (hasHeaderFilter({ from: o.from, to: o.recipient, subject: o.subject, messageId: o.messageId })) return restoreFiltered(env, o, mode, addr);
  // a reader lock on the snapshot for the whole restore: a rotation meanwhile defers deleting it
  const dest = await openDestination(env.config, 'shared', { command: 'restore mail' });
  try {
    return await restoreHeld(env, dest, o, mode, addr);
  } finally {
    dest.release();
  }
}

async function restoreHeld(env: RestoreEnv, dest: Destination, o: RestoreMailOptions, mode: MailMode, addr: Address): Promise<RestoreResult> {
  const since = o.since ? parseDate('--since', o.since) : undefined;
  const until = o.until ? parseDate('--until', o.until) : undefined;
  const { config } = env;
  const snap = await dest.read(o.snapshot ?? 'latest', { allowFailed: o.force }); // no default in the CLI: a filter takes the newest per message
  const src = locateMailbox(config, snap, addr, o.folder);
  const { user, folders, snapMailbox, liveMailbox } = src;
  const target = mode === 'copy' ? copyTarget(o, src, dest.root) : liveMailbox;
  const intoFolder = o.intoFolder ? newFolderIn(liveMailbox, user, o.intoFolder) : undefined;
  const plan = planMail({
    mode,
    folders,
    messages: folders.flatMap((d) => listMessages(snapMailbox, d)),
    metadata: metadataFiles(snapMailbox, folders, !o.folder),
    live: mode === 'merge' ? Object.fromEntries(folders.map((d) => [d, liveBaseNames(liveMailbox, d)])) : undefined,
    liveFolders: listFolderDirs(liveMailbox),
    intoFolder,
    since,
    until,
    wholeMailbox: !o.folder,
  });
  const header = `restore mail ${user}${o.folder ? ` folder ${folderName(folders[0])}` : ''} from ${snap.id} (${mode}) → ${target}`;
  const source = `  mailbox: ${src.shown} (layout ${src.layoutName})`;
  const lines = [header, source, ...planLines(plan)];
  const summary = { snapshot: snap.id, user, mailbox: src.shown, layout: src.layoutName, mode, target, dryRun: Boolean(o.dryRun), plan: countsOf(plan) };
  if (o.dryRun) return { outcome: 'ok', data: summary, lines: [...lines, 'dry run: nothing was changed'] };
  if (mode === 'merge' && plan.copy.length === 0 && plan.createFolders.length === 0) {
    return { outcome: 'ok', data: { ...summary, copied: 0 }, lines: [...lines, 'nothing to do: every message of the snapshot in range is in the live mailbox'] };
  }
  if (mode !== 'copy') {
    await confirm(
      mode === 'replace'
        ? `replace ${plan.moveAside.length} live entr${plan.moveAside.length === 1 ? 'y' : 'ies'} of ${user} (saved to safety/ first)`
        : `add ${plan.copy.length} message(s) to the live mailbox ${user}`,
      o.yes,
    );
  }
  const out: Record<string, unknown> = { ...summary };
  await applyPlan(env, plan, { src, snapId: snap.id, target, addr }, out, lines);
  let warnings: string[] = [];
  if (mode !== 'copy') warnings = await afterInPlace(config, user, lines, env.signal);
  for (const w of warnings) env.log.warn(w);
  return { outcome: warnings.length ? 'warning' : 'ok', data: { ...out, warnings }, lines, written: [target, ...(typeof out.safety === 'string' ? [out.safety] : [])] };
}

/** --to DIR: new or empty (or --yes), and neither inside the live mail store nor the backup destination. */
function copyTarget(o: RestoreMailOptions, src: MailSource, root: string): string {
  const target = checkTargetDir(o.to!, [
    { path: src.liveMailRoot, what: 'the live mail store' },
    { path: root, what: 'the backup destination' },
  ]);
  requireEmptyOrYes(target, o.yes);
  return target;
}

/** --into-folder NAME: a folder the live mailbox does not have yet; its maildir directory name. */
function newFolderIn(liveMailbox: string, user: string, intoFolder: string): string {
  const name = checkFolderName('--into-folder', intoFolder);
  if (name === 'INBOX') throw new UsageError('--into-folder needs a new folder name, e.g. Recovered/2026-11-28');
  const dir = folderDir(name);
  if (existsSync(join(liveMailbox, dir))) {
    throw new UsageError(`folder ${name} already exists in ${user}; choose a new name for the recovered mail`);
  }
  return dir;
}

/** replace: the live entries to safety/ first, then the snapshot's; merge and copy: the plan's messages. */
async function applyPlan(env: RestoreEnv, plan: MailPlan, at: { src: MailSource; snapId: string; target: string; addr: Address }, out: Record<string, unknown>, lines: string[]): Promise<void> {
  const { config, log } = env;
  const { src, target } = at;
  const { snapMailbox, liveMailbox, user } = src;
  if (plan.mode === 'replace') {
    const stamp = safetyStamp();
    const safety = await openSafetyDir(config, 'restore mail', stamp);
    try {
      const safetyMailbox = join(vmailDir(join(safety.dir, 'mail'), config.source.mailboxRoot), src.maildir);
      const res = await replaceMailEntries(plan.moveAside, { snapMailbox, liveMailbox, safetyMailbox, stamp, log, signal: env.signal });
      safety.record({ command: `restore mail --user ${user} --mode replace`, snapshot: at.snapId, saved: res.saved });
      out.safety = safety.dir;
      lines.push(`previous state saved in ${safety.dir}`, `replaced ${res.replaced.length} entr${res.replaced.length === 1 ? 'y' : 'ies'}`);
    } finally {
      safety.release();
    }
    return;
  }
  const res = await inPhase(env.progress ?? NO_PROGRESS, `restore mail ${at.addr.address}`, { files: plan.copy.length }, (progress) =>
    applyMailPlan(plan, { from: snapMailbox, to: target, subscribe: plan.mode === 'merge', ownTarget: plan.mode === 'copy', log, signal: env.signal, progress }));
  Object.assign(out, res);
  lines.push(`copied ${res.copied} message file(s)${res.metadataFiles ? ` and ${res.metadataFiles} Dovecot metadata file(s)` : ''}${res.alreadyThere ? `, ${res.alreadyThere} appeared meanwhile and were left alone` : ''}`);
  if (res.foldersCreated.length) lines.push(`created folder(s): ${res.foldersCreated.join(', ')}`);
}

/** --from/--recipient/--subject/--message-id: the messages the index selects (mail-pick.ts). */
async function restoreFiltered(env: RestoreEnv, o: RestoreMailOptions, mode: MailMode, addr: Address): Promise<RestoreResult> {
  if (mode === 'replace') throw new UsageError('--mode replace restores whole folders; a filter (--from, --subject …) restores messages: drop one of them');
  const since = o.since ? parseDate('--since', o.since) : undefined;
  const until = o.until ? parseDate('--until', o.until) : undefined;
  const into = o.intoFolder ? checkFolderName('--into-folder', o.intoFolder) : undefined;
  if (into === 'INBOX') throw new UsageError('--into-folder needs a folder name other than INBOX, e.g. Recovered/2026-11-28');
  const dest = await openDestination(env.config, 'shared', { command: 'restore mail' });
  try {
    const filters = { folder: o.folder, from: o.from, to: o.recipient, subject: o.subject, messageId: o.messageId, since, until };
    return await restorePicked(env, dest, { filters, snapshot: o.snapshot, toDir: o.to, dryRun: o.dryRun, yes: o.yes, force: o.force }, mode, addr, into && folderDir(into));
  } finally {
    dest.release();
  }
}

export function planLines(plan: MailPlan): string[] {
  const lines = [sampleLine('to copy', plan.copy.map((c) => c.to))];
  if (plan.mode === 'merge') {
    lines.push(sampleLine('already present', plan.present));
    lines.push(sampleLine('present with other flags (live kept)', plan.flagsDiffer));
  }
  if (plan.outsideDates) lines.push(`  outside --since/--until: ${plan.outsideDates}`);
  if (plan.createFolders.length) lines.push(sampleLine('folders to create', plan.createFolders.map(folderName)));
  if (plan.mode === 'replace') lines.push(sampleLine('to move aside (to safety/)', plan.moveAside.map((e) => e || '(whole mailbox)')));
  return lines;
}
