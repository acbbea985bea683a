/**
 * The completeness check of a maildir component, after the rsync passes: every message the live
 * store holds now is in the snapshot, once per folder (complete-plan.ts says why rsync alone
 * cannot promise that while Dovecot works).
 *
 * Cheap on a quiet night: only mailboxes with a folder directory changed since the scan read it
 * (its mtime moves on every rename in or out; `seen`), or since the run started when the caller
 * has no scan to tell, are listed again. Those are listed until two stats
 * of their directories around the listing agree, so a message in flight is not missed by the
 * check itself; the missing ones go to one rsync --files-from, and the mailboxes it touched are
 * checked again, a few rounds at most.
 */
import { closeSync, lstatSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { describeRsyncFailure, rsyncMirror, RSYNC_VANISHED, type RsyncItem } from '../../tools/rsync.js';
import { InterruptedError, ToolError } from '../../errors.js';
import { duplicateRemovals, planCompletion, staleDuplicateGroups, type SizeGroup } from './complete-plan.js';
import { isMissing, type MailboxDir } from '../../mailbox/walk.js';
import { activeMailboxes, listMailbox, type SeenDir } from './listing.js';

export type { SeenDir } from './listing.js';

export interface CompleteInput {
  srcRoot: string;
  /** the component's directory in the snapshot being built */
  dest: string;
  entries?: string[];
  exclude?: string[];
  /** ms since epoch: when this component's sync started */
  since: number;
  /**
   * Directories as the scan saw them (relative to srcRoot): their mtime when they were read, and
   * when that was. A directory whose mtime is still that, and was already old then, holds what
   * the scan listed; only the others are listed again.
   */
  seen?: ReadonlyMap<string, SeenDir>;
  scratchFile: string;
  log: Logger;
  signal?: AbortSignal;
  /** every item the copy receives (counted and hashed like the main rsync's) */
  onItem?: (item: RsyncItem) => void;
  /** each duplicate removed from the snapshot, relative to dest */
  onRemove?: (path: string) => void;
}


export interface CompleteResult {
  /** mailboxes with activity during the run, listed again */
  checked: number;
  /** messages copied because rsync had missed them */
  copied: number;
  /** duplicate names of one message in one folder, removed from the snapshot */
  removed: number;
  /** names that vanished again while being copied (renamed once more, or expunged) */
  vanished: number;
  rounds: number;
}

const MAX_ROUNDS = 4;
export async function completeMaildirs(input: CompleteInput): Promise<CompleteResult> {
  const result: CompleteResult = { checked: 0, copied: 0, removed: 0, vanished: 0, rounds: 0 };
  const checked = activeMailboxes(input);
  let active = checked;
  result.checked = checked.length;
  while (active.length > 0 && result.rounds < MAX_ROUNDS) {
    if (input.signal?.aborted) throw new InterruptedError();
    result.rounds++;
    const next: MailboxDir[] = [];
    const fd = openSync(input.scratchFile, 'w', 0o600);
    let listed = 0;
    try {
      for (const mb of active) {
        const { live, snapshot } = listMailbox(input, mb);
        const plan = planCompletion(live, snapshot);
        for (const p of plan.remove) {
          unlinkSync(join(input.dest, mb.rel, p));
          input.onRemove?.(mb.rel ? `${mb.rel}/${p}` : p);
          result.removed++;
        }
        if (plan.copy.length === 0) continue;
        for (const p of plan.copy) writeSync(fd, `${mb.rel ? `${mb.rel}/` : ''}${p}\0`);
        listed += plan.copy.length;
        next.push(mb);
      }
    } finally {
      closeSync(fd);
    }
    if (listed === 0) break;
    await copyListed(input, result);
    input.log.info({ round: result.rounds, mailboxes: next.length, messages: listed }, 'copied messages rsync missed while Dovecot moved them');
    active = next;
  }
  for (const mb of checked) result.removed += dropStaleDuplicates(input, mb);
  return result;
}

/** staleDuplicateGroups split into byte-identical classes; duplicateRemovals says what goes. */
function dropStaleDuplicates(input: CompleteInput, mb: MailboxDir): number {
  const dir = join(input.dest, mb.rel);
  const sizeOf = (p: string) => {
    try {
      return lstatSync(join(dir, p)).size;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  };
  let removed = 0;
  const { live, snapshot } = listMailbox(input, mb);
  for (const group of staleDuplicateGroups(live, snapshot, sizeOf)) {
    const classes: { bytes: Buffer; cls: SizeGroup }[] = [];
    const classify = (p: string, side: 'live' | 'stale') => {
      const bytes = readFileSync(join(dir, p));
      let c = classes.find((x) => x.bytes.equals(bytes));
      if (!c) classes.push((c = { bytes, cls: { live: [], stale: [] } }));
      c.cls[side].push(p);
    };
    for (const p of group.live) classify(p, 'live');
    for (const p of group.stale) classify(p, 'stale');
    for (const { cls } of classes) {
      for (const p of duplicateRemovals(cls)) {
        unlinkSync(join(dir, p));
        input.onRemove?.(mb.rel ? `${mb.rel}/${p}` : p);
        removed++;
      }
    }
  }
  return removed;
}

async function copyListed(input: CompleteInput, result: CompleteResult): Promise<void> {
  const out = await rsyncMirror({
    srcRoot: input.srcRoot, dest: input.dest, filesFrom: input.scratchFile, exclude: input.exclude, signal: input.signal,
    onItem: (item) => {
      if (item.code[0] === '>' && item.code[1] === 'f') result.copied++;
      input.onItem?.(item);
    },
  });
  if (input.signal?.aborted) throw new InterruptedError();
  result.vanished += out.vanished;
  if (out.exitCode !== 0 && out.exitCode !== RSYNC_VANISHED) {
    throw new ToolError(`rsync of the messages missed under live traffic (${input.srcRoot}) failed with exit ${out.exitCode}: ` +
      `${describeRsyncFailure(out)}; check that the source is readable and the backup disk has space, then run the backup again`, out.stderr);
  }
}
