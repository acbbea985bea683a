/**
 * Deciding what a mail restore does, as plain data: which message files to copy where, which
 * are already there, which folders to create, what to move aside. No I/O here; the applier
 * (mail-apply.ts) carries the plan out and the command prints it for --dry-run.
 */
import { join } from 'node:path';
import { baseName, type MessageFile } from '../mailbox/maildir.js';

export type MailMode = 'copy' | 'merge' | 'replace';

export interface MailPlanInput {
  mode: MailMode;
  /** folder directories in scope, as in the snapshot ("" = INBOX) */
  folders: string[];
  /** messages of those folders in the snapshot */
  messages: MessageFile[];
  /** metadata files of the folders in scope present in the snapshot (paths relative to the mailbox) */
  metadata: string[];
  /** merge: live messages per folder directory, base name → file name */
  live?: Record<string, Map<string, string>>;
  /** merge/replace: folder directories that exist live */
  liveFolders?: string[];
  /** merge --into-folder: the new folder's directory */
  intoFolder?: string;
  since?: number;
  until?: number;
  /** replace: the whole mailbox rather than the listed folders */
  wholeMailbox?: boolean;
}

export interface CopyOp {
  /** relative to the snapshot's mailbox */
  from: string;
  /** relative to the target mailbox */
  to: string;
}

export interface MailPlan {
  mode: MailMode;
  copy: CopyOp[];
  /** base name already in the target folder under the same name */
  present: string[];
  /** base name already in the target folder under another name (other flags): the live file wins */
  flagsDiffer: string[];
  outsideDates: number;
  /** folder directories to create (cur/new/tmp, maildirfolder, subscribed) */
  createFolders: string[];
  /** replace: entries of the live mailbox to save and swap ("" = the mailbox itself) */
  moveAside: string[];
}

function inRange(m: MessageFile, since?: number, until?: number): boolean {
  return (since === undefined || m.mtimeMs >= since) && (until === undefined || m.mtimeMs < until);
}

export function planMail(input: MailPlanInput): MailPlan {
  const plan: MailPlan = { mode: input.mode, copy: [], present: [], flagsDiffer: [], outsideDates: 0, createFolders: [], moveAside: [] };
  const msgPath = (m: MessageFile, dir = m.dir) => join(dir, m.sub, m.name);

  if (input.mode === 'replace') {
    plan.moveAside = replaceEntries(input);
    for (const m of input.messages) plan.copy.push({ from: msgPath(m), to: msgPath(m) });
    for (const f of input.metadata) plan.copy.push({ from: f, to: f });
    return plan;
  }

  if (input.mode === 'copy') {
    plan.createFolders = [...input.folders];
    for (const m of input.messages) {
      if (inRange(m, input.since, input.until)) plan.copy.push({ from: msgPath(m), to: msgPath(m) });
      else plan.outsideDates++;
    }
    for (const f of input.metadata) plan.copy.push({ from: f, to: f });
    return plan;
  }

  // merge: copy only what the live folder lacks, judged by base name so a flag change is no loss
  const liveFolders = new Set(input.liveFolders ?? []);
  const live = input.live ?? {};
  const planned = new Set<string>();
  if (input.intoFolder !== undefined) plan.createFolders.push(input.intoFolder);
  for (const f of input.folders) if (input.intoFolder === undefined && !liveFolders.has(f)) plan.createFolders.push(f);
  for (const m of input.messages) {
    if (!inRange(m, input.since, input.until)) {
      plan.outsideDates++;
      continue;
    }
    const base = baseName(m.name);
    const target = input.intoFolder ?? m.dir;
    const liveName = live[m.dir]?.get(base);
    if (liveName !== undefined) {
      (liveName === m.name ? plan.present : plan.flagsDiffer).push(msgPath(m));
      continue;
    }
    const key = `${target}\0${base}`;
    if (planned.has(key)) {
      plan.present.push(msgPath(m));
      continue;
    }
    planned.add(key);
    plan.copy.push({ from: msgPath(m), to: msgPath(m, target) });
  }
  return plan;
}

/** What a replace swaps: the whole mailbox, a folder directory, or INBOX's own entries (not its subfolders). */
function replaceEntries(input: MailPlanInput): string[] {
  if (input.wholeMailbox) return [''];
  const out: string[] = [];
  for (const f of input.folders) {
    if (f !== '') out.push(f);
    else out.push('cur', 'new', 'dovecot-uidlist', 'dovecot-keywords');
  }
  return out;
}

export function countsOf(plan: MailPlan) {
  return {
    copy: plan.copy.length,
    present: plan.present.length,
    flagsDiffer: plan.flagsDiffer.length,
    outsideDates: plan.outsideDates,
    createFolders: plan.createFolders.length,
    moveAside: plan.moveAside.length,
  };
}
