/**
 * Applies reconcile-plan.ts to one component's clone before rsync runs:
 *  1. entries form: drop what no configured entry covers any more;
 *  2. maildir: rename clone messages to their current source names (readdir only, no stat),
 *     one mailbox at a time — only that mailbox's names are in memory;
 *  3. invariant 3 of docs/invariants.md: every entry rsync would change IN PLACE is unlinked from the clone. What
 *     those are comes from a rsync --dry-run, either
 *     - against the previous snapshot, run while cp -al clones it (sync.ts overlaps the two:
 *       the clone has the same inodes and attributes), plus a --files-from dry run over just
 *       the renamed messages (the only clone entries whose names differ from the previous
 *       snapshot's); or
 *     - against the clone itself, after the renames (a reused .partial, a second pass).
 *     Names stream through a NUL-separated list file on the backup disk, never into memory.
 *
 * Sync fs calls on purpose: readdir of a 100,000-entry tree is several times faster than with
 * promises, and nothing else needs the event loop meanwhile.
 *
 * Known window: an attribute change in the source between the dry run and the real rsync
 * (a few seconds) would still be applied in place. The second pass (sync.ts) narrows it for
 * long runs; a chmod on a live maildir is rare.
 */
import { closeSync, lstatSync, openSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { listInPlaceChanges, readNulList } from './in-place.js';
import { entryCoverage, planMaildirRenames } from './reconcile-plan.js';
import { folderMessages, isMissing, mailboxesUnder, namesOrEmpty, type MailboxDir } from '../mailbox/walk.js';

export interface ReconcileInput {
  srcRoot: string;
  cloneRoot: string;
  /** entries form: paths relative to srcRoot; undefined = mirror all of srcRoot */
  entries?: string[];
  exclude?: string[];
  maildir: boolean;
  /**
   * NUL-separated list of paths with in-place changes, from listInPlaceChanges() against the
   * previous snapshot; undefined = run the dry run against the clone here
   */
  knownInPlace?: string;
  /** scratch file for the renamed messages' names (outside the snapshot's data) */
  scratchFile: string;
  log: Logger;
  signal?: AbortSignal;
}

export interface ReconcileResult {
  renamed: number;
  unlinked: number;
  warnings: string[];
  renameMs: number;
  dryRunMs: number;
}

export async function reconcileClone(input: ReconcileInput): Promise<ReconcileResult> {
  const t0 = Date.now();
  const result: ReconcileResult = { renamed: 0, unlinked: 0, warnings: [], renameMs: 0, dryRunMs: 0 };
  if (input.entries) removeUncoveredEntries(input.cloneRoot, input.entries, '');
  const renamedList = input.knownInPlace ? openSync(input.scratchFile, 'w', 0o600) : undefined;
  try {
    if (input.maildir) result.renamed = linkMaildirRenames(input, renamedList);
  } finally {
    if (renamedList !== undefined) closeSync(renamedList);
  }
  result.renameMs = Date.now() - t0;
  const unlink = (name: string) => unlinkFromClone(input.cloneRoot, name, result);
  if (input.knownInPlace) {
    for (const name of readNulList(input.knownInPlace)) unlink(name);
    if (result.renamed > 0) await listInPlaceChanges({ ...input, compareRoot: input.cloneRoot, filesFrom: input.scratchFile, onName: unlink });
  } else {
    await listInPlaceChanges({ ...input, compareRoot: input.cloneRoot, onName: unlink });
  }
  result.dryRunMs = Date.now() - t0 - result.renameMs;
  return result;
}

function unlinkFromClone(cloneRoot: string, name: string, result: ReconcileResult): void {
  try {
    unlinkSync(join(cloneRoot, name));
    result.unlinked++;
  } catch (err) {
    if (isMissing(err)) return; // gone already: rsync will create it fresh
    result.warnings.push(`could not unlink ${name} from the clone (${(err as Error).message}); ` +
      'rsync may change its attributes in the previous snapshot too: run `mailbackup verify --full` on it');
  }
}

/**
 * A directory with cur/ and new/ is a mailbox (Maildir++): its messages and those of its
 * `.Folder` subdirectories are planned together, so a message moved between folders is linked
 * too. One mailbox's names are in memory at a time.
 */
function linkMaildirRenames(input: ReconcileInput, renamedList: number | undefined): number {
  let renamed = 0;
  for (const mailbox of mailboxesUnder(input.srcRoot, input.entries, input.signal)) {
    renamed += renameInMailbox(input, mailbox, renamedList);
  }
  return renamed;
}

function renameInMailbox(input: ReconcileInput, mailbox: MailboxDir, renamedList: number | undefined): number {
  const renames = planMaildirRenames({ source: folderMessages(input.srcRoot, mailbox), clone: folderMessages(input.cloneRoot, mailbox) });
  const { rel } = mailbox;
  const dir = join(input.cloneRoot, rel);
  let done = 0;
  for (const r of renames) {
    try {
      renameSync(join(dir, r.from), join(dir, r.to));
      done++;
      if (renamedList !== undefined) writeSync(renamedList, (rel ? `${rel}/${r.to}` : r.to) + '\0');
    } catch (err) {
      // e.g. a folder created since the previous snapshot: rsync copies the message instead
      input.log.debug({ mailbox: rel, from: r.from, to: r.to, err: (err as Error).message }, 'maildir rename skipped');
    }
  }
  return done;
}

/** Entries form: drop what no configured entry covers any more (an entry removed from the config). */
function removeUncoveredEntries(cloneRoot: string, entries: string[], rel: string): void {
  for (const name of namesOrEmpty(join(cloneRoot, rel))) {
    const childRel = rel ? `${rel}/${name}` : name;
    const cover = entryCoverage(childRel, entries);
    if (cover === 'remove') rmSync(join(cloneRoot, childRel), { recursive: true, force: true });
    else if (cover === 'descend' && lstatSync(join(cloneRoot, childRel)).isDirectory()) removeUncoveredEntries(cloneRoot, entries, childRel);
  }
}
