/**
 * Applies reconcile-plan.ts to one component's clone before rsync runs:
 *  1. entries form: drop what no configured entry covers any more;
 *  2. maildir: rename clone messages to their current source names (readdir only, no stat),
 *     one maildir folder at a time — only that folder's names are in memory;
 *  3. invariant 3: a rsync --dry-run over the whole component; every entry it would change in
 *     place is unlinked from the clone as its line streams in (nothing accumulates).
 *
 * Sync fs calls on purpose: readdir of a 100,000-entry tree is several times faster than with
 * promises, and nothing else needs the event loop meanwhile.
 *
 * Known window: an attribute change in the source between the dry run and the real rsync
 * (a few seconds) would still be applied in place. The second pass (sync.ts) narrows it for
 * long runs; a chmod on a live maildir is rare.
 */
import { readdirSync, renameSync, rmSync, lstatSync, unlinkSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { rsyncMirror, RSYNC_VANISHED } from '../tools/rsync.js';
import { entryCoverage, isInPlaceChange, planMaildirRenames } from './reconcile-plan.js';
import { InterruptedError, ToolError } from '../errors.js';

export interface ReconcileInput {
  srcRoot: string;
  cloneRoot: string;
  /** entries form: paths relative to srcRoot; undefined = mirror all of srcRoot */
  entries?: string[];
  exclude?: string[];
  maildir: boolean;
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

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function namesOrEmpty(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (err) {
    if (isMissing(err)) return [];
    throw err;
  }
}

export async function reconcileClone(input: ReconcileInput): Promise<ReconcileResult> {
  const t0 = Date.now();
  const result: ReconcileResult = { renamed: 0, unlinked: 0, warnings: [], renameMs: 0, dryRunMs: 0 };
  if (input.entries) removeUncoveredEntries(input.cloneRoot, input.entries, '');
  if (input.maildir) result.renamed = linkMaildirRenames(input);
  result.renameMs = Date.now() - t0;
  await unlinkWhatRsyncWouldChangeInPlace(input, result);
  result.dryRunMs = Date.now() - t0 - result.renameMs;
  return result;
}

/** Walks the source's directories; in each folder that has cur/ and new/, links renames. */
function linkMaildirRenames(input: ReconcileInput): number {
  let renamed = 0;
  const stack = (input.entries ?? ['']).slice();
  while (stack.length > 0) {
    if (input.signal?.aborted) throw new InterruptedError();
    const rel = stack.pop()!;
    let dirents: Dirent[];
    try {
      dirents = readdirSync(join(input.srcRoot, rel), { withFileTypes: true });
    } catch (err) {
      if (isMissing(err)) continue; // a file entry, or a folder deleted meanwhile
      throw err;
    }
    const subdirs = dirents.filter((d) => d.isDirectory()).map((d) => d.name);
    const isMaildir = subdirs.includes('cur') && subdirs.includes('new');
    if (isMaildir) renamed += renameFolder(input, rel);
    for (const name of subdirs) {
      // a maildir's cur/new/tmp hold messages only, no folders: no need to list them again
      if (isMaildir && (name === 'cur' || name === 'new' || name === 'tmp')) continue;
      stack.push(rel ? `${rel}/${name}` : name);
    }
  }
  return renamed;
}

function renameFolder(input: ReconcileInput, rel: string): number {
  const list = (root: string) => ['cur', 'new'].flatMap((sub) => namesOrEmpty(join(root, rel, sub)).map((n) => `${sub}/${n}`));
  const renames = planMaildirRenames({ source: list(input.srcRoot), clone: list(input.cloneRoot) });
  const folder = join(input.cloneRoot, rel);
  let done = 0;
  for (const r of renames) {
    try {
      renameSync(join(folder, r.from), join(folder, r.to));
      done++;
    } catch (err) {
      // e.g. the clone lacks cur/ (folder created since): rsync copies the message instead
      input.log.debug({ folder: rel, from: r.from, to: r.to, err: (err as Error).message }, 'maildir rename skipped');
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

async function unlinkWhatRsyncWouldChangeInPlace(input: ReconcileInput, result: ReconcileResult): Promise<void> {
  const out = await rsyncMirror({
    srcRoot: input.srcRoot,
    dest: input.cloneRoot,
    entries: input.entries,
    exclude: input.exclude,
    dryRun: true,
    signal: input.signal,
    onItem: (item) => {
      if (!isInPlaceChange(item.code)) return;
      try {
        unlinkSync(join(input.cloneRoot, item.name));
        result.unlinked++;
      } catch (err) {
        if (isMissing(err)) return; // gone already: rsync will create it fresh
        result.warnings.push(`could not unlink ${item.name} from the clone (${(err as Error).message}); ` +
          'rsync may change its attributes in the previous snapshot too: run `mailbackup verify --full` on it');
      }
    },
  });
  if (input.signal?.aborted) throw new InterruptedError();
  if (out.exitCode !== 0 && out.exitCode !== RSYNC_VANISHED) {
    throw new ToolError(`rsync --dry-run of ${input.srcRoot} failed (exit ${out.exitCode}): ${out.stderrTail || '(no message)'}; ` +
      'check that the source is readable, then run the backup again');
  }
}
