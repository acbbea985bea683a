/**
 * Phase 2 of a component's sync, plan and applier side by side: the names the scan left
 * undecided (link-plan.ts) become links within the new snapshot or from the previous one —
 * Dovecot's renames (maildir-renames.ts) and second names of an inode — or copies.
 */
import { join } from 'node:path';
import type { IndexEntry } from '../../repository/manifest-format.js';
import type { ScanEntry } from '../scan/scan-entry.js';
import type { LinkPlanner } from './link-plan.js';
import { linkable } from './linkable.js';
import { planMaildirRenames } from './maildir-renames.js';
import { linkOrCopy } from './apply.js';

export interface Resolution {
  /** link within the new snapshot (`fromNew`) or from the previous one (`from`) */
  links: { e: ScanEntry; prev: IndexEntry; from?: string; fromNew?: string }[];
  copies: ScanEntry[];
}

/**
 * `deferred` in scan order. A rename is taken only when the old name's size, mtime, mode and
 * owner are the new name's (Dovecot's rename keeps them): otherwise the file is copied. A base
 * that several new names share is left to rsync (planMaildirRenames says why).
 */
export function resolveDeferred(deferred: ScanEntry[], planner: Pick<LinkPlanner, 'gone' | 'linkedInodes'>, maildir: boolean): Resolution {
  const out: Resolution = { links: [], copies: [] };
  const goneByPath = new Map(planner.gone.map((p) => [p.path, p]));
  const renames = new Map<string, string>();
  if (maildir && goneByPath.size > 0) {
    for (const r of planMaildirRenames({ source: deferred.map((e) => e.path), previous: [...goneByPath.keys()] })) renames.set(r.to, r.from);
  }
  const linked = planner.linkedInodes;
  const waiting: ScanEntry[] = [];
  for (const e of deferred) {
    const group = e.nlink > 1 ? linked.get(e.ino) : undefined;
    if (group) {
      out.links.push({ e, prev: group.prev, fromNew: group.path });
      continue;
    }
    const from = renames.get(e.path);
    const p = from === undefined ? undefined : goneByPath.get(from);
    if (p && linkable(e, p)) {
      out.links.push({ e, prev: p, from });
      if (e.nlink > 1) linked.set(e.ino, { path: e.path, prev: p });
      continue;
    }
    waiting.push(e);
  }
  // a later name of an inode whose earlier name was just linked by a rename
  for (const e of waiting) {
    const group = e.nlink > 1 ? linked.get(e.ino) : undefined;
    if (group && group.path !== e.path) out.links.push({ e, prev: group.prev, fromNew: group.path });
    else out.copies.push(e);
  }
  return out;
}

export interface DeferredLinks {
  /** the files linked, in the order linked: `renamed` when from an old name of the previous snapshot */
  linked: { entry: IndexEntry; renamed: boolean }[];
  /** the rest, for rsync: not linked after all, or a link that failed */
  copies: ScanEntry[];
}

/**
 * Applies resolveDeferred's plan: each link made and checked (apply.ts linkOrCopy), a failed one
 * copied instead. `prevComponent`, `dest`: the component in the previous and the new snapshot.
 */
export function linkDeferred(
  deferred: ScanEntry[], planner: Pick<LinkPlanner, 'gone' | 'linkedInodes'>,
  at: { maildir: boolean; component: string; prevComponent?: string; dest: string },
): DeferredLinks {
  const plan = resolveDeferred(deferred, planner, at.maildir);
  const out: DeferredLinks = { linked: [], copies: plan.copies };
  for (const l of plan.links) {
    const from = l.fromNew !== undefined ? join(at.dest, l.fromNew) : join(at.prevComponent!, l.from!);
    const entry = linkOrCopy(from, join(at.dest, l.e.path), l.e, l.prev, at.component);
    if (entry) out.linked.push({ entry, renamed: l.from !== undefined });
    else out.copies.push(l.e);
  }
  return out;
}
