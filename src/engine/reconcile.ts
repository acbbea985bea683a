/**
 * Applies reconcile-plan.ts to one component's clone, streaming directory by directory:
 * only one directory listing (one mailbox folder's names) is in memory at a time, plus the
 * stack of directories still to visit.
 *
 * Sync fs calls on purpose: ~100,000 lstat calls run several times faster than with promises,
 * and nothing else needs the event loop meanwhile (hashing happens later, in workers).
 */
import { closeSync, lstatSync, openSync, readdirSync, renameSync, rmSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { rsyncMirror } from '../tools/rsync.js';
import {
  attributeAction,
  entryCoverage,
  isInPlaceChange,
  planMaildirRenames,
  sourceUnchangedSince,
  type EntryStat,
} from './reconcile-plan.js';
import { InterruptedError } from '../errors.js';

export interface ReconcileInput {
  srcRoot: string;
  cloneRoot: string;
  /** entries form: paths relative to srcRoot; undefined = mirror all of srcRoot */
  entries?: string[];
  exclude?: string[];
  maildir: boolean;
  /** source attribute changes at or after this time (ms) may not be in the clone; 0 = assume all */
  changedSinceMs: number;
  /** NUL-separated candidate list for the rsync dry run (a temp file outside the snapshot) */
  candidatesFile: string;
  log: Logger;
  signal?: AbortSignal;
}

export interface ReconcileResult {
  renamed: number;
  unlinked: number;
  checked: number;
  warnings: string[];
}

export function toEntryStat(st: Stats): EntryStat {
  const kind = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'other';
  return { kind, mode: st.mode, uid: st.uid, gid: st.gid, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw err;
  }
}

function namesOrEmpty(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw err;
  }
}

export async function reconcileClone(input: ReconcileInput): Promise<ReconcileResult> {
  const { srcRoot, cloneRoot, changedSinceMs } = input;
  const result: ReconcileResult = { renamed: 0, unlinked: 0, checked: 0, warnings: [] };
  if (input.entries) removeUncoveredEntries(cloneRoot, input.entries, '');
  const fd = openSync(input.candidatesFile, 'w', 0o600);
  try {
    const visitEntry = (rel: string, src: Stats): void => {
      const s = toEntryStat(src);
      if (s.kind === 'dir' || sourceUnchangedSince(s, changedSinceMs)) return;
      const cloneSt = lstatOrUndefined(join(cloneRoot, rel));
      const action = attributeAction(s, cloneSt && toEntryStat(cloneSt), changedSinceMs);
      if (action === 'unlink') {
        unlinkSync(join(cloneRoot, rel));
        result.unlinked++;
      } else if (action === 'check') {
        writeSync(fd, rel + '\0');
        result.checked++;
      }
    };
    const stack: string[] = [];
    for (const top of input.entries ?? ['']) {
      const st = lstatOrUndefined(join(srcRoot, top));
      if (!st) continue; // sync.ts already refused missing entries; vanished since is rsync's business
      if (st.isDirectory()) stack.push(top);
      else visitEntry(top, st);
    }
    while (stack.length > 0) {
      if (input.signal?.aborted) throw new InterruptedError();
      const rel = stack.pop()!;
      let dirents;
      try {
        dirents = readdirSync(join(srcRoot, rel), { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // vanished folder
        throw err;
      }
      if (input.maildir) result.renamed += linkMaildirRenames(input, rel, dirents);
      for (const d of dirents) {
        const childRel = rel ? `${rel}/${d.name}` : d.name;
        if (d.isDirectory()) {
          stack.push(childRel);
          continue;
        }
        const st = lstatOrUndefined(join(srcRoot, childRel));
        if (st) visitEntry(childRel, st);
      }
    }
  } finally {
    closeSync(fd);
  }
  if (result.checked > 0) await unlinkWhatRsyncWouldChangeInPlace(input, result);
  return result;
}

/** In a folder that has cur/ and new/, rename clone messages to their current source names. */
function linkMaildirRenames(input: ReconcileInput, rel: string, dirents: { name: string; isDirectory(): boolean }[]): number {
  const has = (n: string) => dirents.some((d) => d.name === n && d.isDirectory());
  if (!has('cur') || !has('new')) return 0;
  const list = (root: string) => ['cur', 'new'].flatMap((sub) => namesOrEmpty(join(root, rel, sub)).map((n) => `${sub}/${n}`));
  const cloneFolder = join(input.cloneRoot, rel);
  const renames = planMaildirRenames({ source: list(input.srcRoot), clone: list(input.cloneRoot) });
  let done = 0;
  for (const r of renames) {
    try {
      renameSync(join(cloneFolder, r.from), join(cloneFolder, r.to));
      done++;
    } catch (err) {
      // a clone without new/ (created since) or a race: rsync copies the message instead
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

/**
 * ACLs and xattrs are invisible to lstat; rsync itself says what it would change in place.
 * Run only over the candidates (source attributes changed since the previous snapshot).
 */
async function unlinkWhatRsyncWouldChangeInPlace(input: ReconcileInput, result: ReconcileResult): Promise<void> {
  const toUnlink: string[] = [];
  const out = await rsyncMirror({
    srcRoot: input.srcRoot,
    dest: input.cloneRoot,
    filesFrom: input.candidatesFile,
    exclude: input.exclude,
    dryRun: true,
    signal: input.signal,
    onItem: (item) => {
      if (isInPlaceChange(item.code)) toUnlink.push(item.name);
    },
  });
  if (input.signal?.aborted) throw new InterruptedError();
  if (out.exitCode !== 0 && out.exitCode !== 24 && out.exitCode !== 23) {
    throw new Error(`rsync --dry-run over the changed files of ${input.srcRoot} failed (exit ${out.exitCode}): ${out.stderrTail}`);
  }
  for (const name of toUnlink) {
    try {
      unlinkSync(join(input.cloneRoot, name));
      result.unlinked++;
    } catch (err) {
      result.warnings.push(`could not unlink ${name} in the clone before rsync (${(err as Error).message}); ` +
        'an attribute change may reach the previous snapshot — run verify on it');
    }
  }
}
