/**
 * Restore by filter, as plain data: which found messages are copied where, which are already
 * in the live mailbox, which folders to create. Each message comes from the newest snapshot
 * that holds it, under its own file name (flags kept) in the same new/ or cur/, into the folder
 * it was last seen in or --into-folder. The live facts (is it there?) are looked up before.
 */
import { join } from 'node:path';
import type { MailPlan } from './mail-plan.js';

export interface PickCandidate {
  key: string;
  /** absolute path of the newest copy */
  fromAbs: string;
  /** folder directory it was last seen in ('' = INBOX) */
  dir: string;
  sub: 'cur' | 'new';
  name: string;
}

export interface PickInput {
  mode: 'copy' | 'merge';
  candidates: PickCandidate[];
  /** merge: keys of the candidates already anywhere in the live mailbox */
  there: Set<string>;
  /** folder directories that exist in the target */
  targetFolders: string[];
  /** merge --into-folder: the new folder's directory */
  intoFolder?: string;
}

export interface PickPlan extends MailPlan {
  /** keys already in the live mailbox (skipped) */
  alreadyThere: string[];
}

export function planPick(input: PickInput): PickPlan {
  const plan: PickPlan = { mode: input.mode, copy: [], present: [], flagsDiffer: [], outsideDates: 0, createFolders: [], moveAside: [], alreadyThere: [] };
  const existing = new Set(input.targetFolders);
  const planned = new Set<string>();
  for (const c of input.candidates) {
    if (input.mode === 'merge' && input.there.has(c.key)) {
      plan.alreadyThere.push(c.key);
      plan.present.push(join(c.dir, c.sub, c.name));
      continue;
    }
    const dir = input.intoFolder ?? c.dir;
    const to = join(dir, c.sub, c.name);
    if (planned.has(to)) continue;
    planned.add(to);
    if (!existing.has(dir) && !plan.createFolders.includes(dir)) plan.createFolders.push(dir);
    plan.copy.push({ from: c.fromAbs, to });
  }
  return plan;
}
