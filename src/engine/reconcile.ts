/**
 * Applies reconcile-plan.ts to one component's clone before rsync runs:
 *  1. entries form: drop what no configured entry covers any more;
 *  2. maildir: rename clone messages to their current source names (readdir only, no stat),
 *     one maildir folder at a time — only that folder's names are in memory;
 *  3. invariant 3: every entry rsync would change IN PLACE is unlinked from the clone. What
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
import { closeSync, lstatSync, openSync, readdirSync, readSync, renameSync, rmSync, unlinkSync, writeSync, type Dirent } from 'node:fs';
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

function* readNulList(file: string): Generator<string> {
  const fd = openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  let rest = Buffer.alloc(0);
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      let chunk = Buffer.concat([rest, buf.subarray(0, n)]);
      let at: number;
      while ((at = chunk.indexOf(0)) >= 0) {
        yield chunk.subarray(0, at).toString('utf8');
        chunk = chunk.subarray(at + 1);
      }
      rest = Buffer.from(chunk);
    }
  } finally {
    closeSync(fd);
  }
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

/** Walks the source's directories; in each folder that has cur/ and new/, links renames. */
function linkMaildirRenames(input: ReconcileInput, renamedList: number | undefined): number {
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
    if (isMaildir) renamed += renameFolder(input, rel, renamedList);
    for (const name of subdirs) {
      // a maildir's cur/new/tmp hold messages only, no folders: no need to list them again
      if (isMaildir && (name === 'cur' || name === 'new' || name === 'tmp')) continue;
      stack.push(rel ? `${rel}/${name}` : name);
    }
  }
  return renamed;
}

function renameFolder(input: ReconcileInput, rel: string, renamedList: number | undefined): number {
  const list = (root: string) => ['cur', 'new'].flatMap((sub) => namesOrEmpty(join(root, rel, sub)).map((n) => `${sub}/${n}`));
  const renames = planMaildirRenames({ source: list(input.srcRoot), clone: list(input.cloneRoot) });
  const folder = join(input.cloneRoot, rel);
  let done = 0;
  for (const r of renames) {
    try {
      renameSync(join(folder, r.from), join(folder, r.to));
      done++;
      if (renamedList !== undefined) writeSync(renamedList, (rel ? `${rel}/${r.to}` : r.to) + '\0');
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

export interface InPlaceQuery {
  srcRoot: string;
  /** the tree rsync would update: the clone, or the previous snapshot it is a clone of */
  compareRoot: string;
  entries?: string[];
  exclude?: string[];
  /** NUL-separated paths to look at only (else the whole component) */
  filesFrom?: string;
  /** receives each path rsync would change in place */
  onName: (name: string) => void;
  signal?: AbortSignal;
}

/** A rsync --dry-run: which entries would rsync change in place (attributes only)? */
export async function listInPlaceChanges(q: InPlaceQuery): Promise<void> {
  const out = await rsyncMirror({
    srcRoot: q.srcRoot,
    dest: q.compareRoot,
    entries: q.filesFrom ? undefined : q.entries,
    filesFrom: q.filesFrom,
    exclude: q.exclude,
    dryRun: true,
    signal: q.signal,
    onItem: (item) => {
      if (isInPlaceChange(item.code)) q.onName(item.name);
    },
  });
  if (q.signal?.aborted) throw new InterruptedError();
  if (out.exitCode !== 0 && out.exitCode !== RSYNC_VANISHED) {
    throw new ToolError(`rsync --dry-run of ${q.srcRoot} failed (exit ${out.exitCode}): ${out.stderrTail || '(no message)'}; ` +
      'check that the source is readable, then run the backup again');
  }
}

/** listInPlaceChanges into a NUL-separated file (the overlapped path: run while cp -al runs). */
export async function listInPlaceChangesToFile(q: Omit<InPlaceQuery, 'onName'>, file: string): Promise<number> {
  const fd = openSync(file, 'w', 0o600);
  let n = 0;
  try {
    await listInPlaceChanges({ ...q, onName: (name) => {
      writeSync(fd, name + '\0');
      n++;
    } });
  } finally {
    closeSync(fd);
  }
  return n;
}
