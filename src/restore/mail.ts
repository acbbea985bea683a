/**
 * `restore mail`: validate, resolve the snapshot and mailbox, plan, print the plan, confirm,
 * apply, then let Dovecot catch up. The decisions are in mail-plan.ts; this file wires them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sourcePath } from '../config/load.js';
import { UsageError } from '../errors.js';
import { inPhase, NO_PROGRESS } from '../log/progress.js';
import { layout } from '../repository/layout.js';
import { openDestination, type Destination } from '../repository/destination.js';
import { applyMailPlan } from './mail-apply.js';
import { countsOf, planMail, type MailMode, type MailPlan } from './mail-plan.js';
import { findMailbox, formatLayout, listMailboxes, vmailDir } from '../mailbox/layout.js';
import { resolveLayout } from '../mailbox/detect.js';
import { FOLDER_METADATA, MAILBOX_METADATA, listFolderDirs, listMessages, liveBaseNames } from '../mailbox/maildir.js';
import { checkFolderName, folderDir, folderName, matchFolder, parseAddress, parseDate, suggest, type Address } from './names.js';
import type { RestoreEnv, RestoreResult } from './result.js';
import { checkTargetDir, confirm, requireEmptyOrYes, sampleLine } from './guard.js';
import { replaceMailEntries } from './mail-replace.js';
import { openSafetyDir, safetyStamp } from './safety.js';
import { afterInPlace } from './dovecot-after.js';
import { restorePicked } from './mail-pick.js';
import { hasHeaderFilter } from '../find/query.js';

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
  const root = dest.root;
  const snap = await dest.read(o.snapshot ?? 'latest', { allowFailed: o.force }); // no default in the CLI: a filter takes the newest per message
  const snapVmail = vmailDir(layout.component(snap.dir, 'mail'), config.source.mailboxRoot);
  const boxLayout = resolveLayout(config.source.mailboxLayout, snapVmail);
  const found = findMailbox(snapVmail, boxLayout, addr);
  if (!found) {
    const known = listMailboxes(snapVmail, boxLayout).map((e) => e.user);
    throw new UsageError(`no mailbox ${addr.address} in snapshot ${snap.id} (layout ${formatLayout(boxLayout)})${suggest(addr.address, known)}`);
  }
  const snapMailbox = join(snapVmail, found.maildir);
  // the stored spelling (ALICE@ typed, alice@ stored); a %n tree holds no domain: keep the typed one
  const user = found.user.includes('@') ? found.user : addr.address;
  const liveMailRoot = sourcePath(config, config.source.mail);
  const liveMailbox = join(vmailDir(liveMailRoot, config.source.mailboxRoot), found.maildir);
  const snapFolders = listFolderDirs(snapMailbox);
  const folders = o.folder
    ? [folderDir(matchFolder(o.folder, snapFolders.map(folderName), `mailbox ${user} in snapshot ${snap.id}`))]
    : snapFolders;

  let target = liveMailbox;
  if (mode === 'copy') {
    target = checkTargetDir(o.to!, [
      { path: liveMailRoot, what: 'the live mail store' },
      { path: root, what: 'the backup destination' },
    ]);
    requireEmptyOrYes(target, o.yes);
  }
  let intoFolder: string | undefined;
  if (o.intoFolder) {
    const name = checkFolderName('--into-folder', o.intoFolder);
    if (name === 'INBOX') throw new UsageError('--into-folder needs a new folder name, e.g. Recovered/2026-11-28');
    intoFolder = folderDir(name);
    if (existsSync(join(liveMailbox, intoFolder))) {
      throw new UsageError(`folder ${name} already exists in ${user}; choose a new name for the recovered mail`);
    }
  }

  const metadata = metadataFiles(snapMailbox, folders, !o.folder);
  const plan = planMail({
    mode,
    folders,
    messages: folders.flatMap((d) => listMessages(snapMailbox, d)),
    metadata,
    live: mode === 'merge' ? Object.fromEntries(folders.map((d) => [d, liveBaseNames(liveMailbox, d)])) : undefined,
    liveFolders: listFolderDirs(liveMailbox),
    intoFolder,
    since,
    until,
    wholeMailbox: !o.folder,
  });
  const header = `restore mail ${user}${o.folder ? ` folder ${folderName(folders[0])}` : ''} from ${snap.id} (${mode}) → ${target}`;
  const shown = join(config.source.mailboxRoot, found.maildir);
  const source = `  mailbox: ${shown} (layout ${formatLayout(boxLayout)})`;
  const lines = [header, source, ...planLines(plan)];
  const summary = { snapshot: snap.id, user, mailbox: shown, layout: formatLayout(boxLayout), mode, target, dryRun: Boolean(o.dryRun), plan: countsOf(plan) };
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
  const { log } = env;
  const out: Record<string, unknown> = { ...summary };
  if (mode === 'replace') {
    const stamp = safetyStamp();
    const safety = await openSafetyDir(config, 'restore mail', stamp);
    try {
      const safetyMailbox = join(vmailDir(join(safety.dir, 'mail'), config.source.mailboxRoot), found.maildir);
      const res = await replaceMailEntries(plan.moveAside, { snapMailbox, liveMailbox, safetyMailbox, stamp, log, signal: env.signal });
      safety.record({ command: `restore mail --user ${user} --mode replace`, snapshot: snap.id, saved: res.saved });
      out.safety = safety.dir;
      lines.push(`previous state saved in ${safety.dir}`, `replaced ${res.replaced.length} entr${res.replaced.length === 1 ? 'y' : 'ies'}`);
    } finally {
      safety.release();
    }
  } else {
    const res = await inPhase(env.progress ?? NO_PROGRESS, `restore mail ${addr.address}`, { files: plan.copy.length }, (progress) =>
      applyMailPlan(plan, { from: snapMailbox, to: target, subscribe: mode === 'merge', ownTarget: mode === 'copy', log, signal: env.signal, progress }));
    Object.assign(out, res);
    lines.push(`copied ${res.copied} message file(s)${res.metadataFiles ? ` and ${res.metadataFiles} Dovecot metadata file(s)` : ''}${res.alreadyThere ? `, ${res.alreadyThere} appeared meanwhile and were left alone` : ''}`);
    if (res.foldersCreated.length) lines.push(`created folder(s): ${res.foldersCreated.join(', ')}`);
  }
  let warnings: string[] = [];
  if (mode !== 'copy') warnings = await afterInPlace(config, user, lines, env.signal);
  for (const w of warnings) log.warn(w);
  return { outcome: warnings.length ? 'warning' : 'ok', data: { ...out, warnings }, lines, written: [target, ...(typeof out.safety === 'string' ? [out.safety] : [])] };
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
    return await restorePicked(env, dest, { filters, snapshot: o.snapshot, toDir: o.to, dryRun: o.dryRun, yes: o.yes, force: o.force }, mode as 'copy' | 'merge', addr, into && folderDir(into));
  } finally {
    dest.release();
  }
}

function metadataFiles(mailbox: string, folders: string[], whole: boolean): string[] {
  const out: string[] = [];
  for (const d of folders) for (const f of FOLDER_METADATA) if (existsSync(join(mailbox, d, f))) out.push(join(d, f));
  if (whole) for (const f of MAILBOX_METADATA) if (existsSync(join(mailbox, f))) out.push(f);
  return out;
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
