/**
 * Which clone entries would rsync change IN PLACE (attributes only)? See isInPlaceChange for
 * why that matters (invariant 3 of docs/invariants.md). Answered by rsync itself in --dry-run mode, so ACLs and
 * xattrs count too; names stream through a callback or a NUL-separated list file.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { describeRsyncFailure, rsyncMirror, RSYNC_VANISHED } from '../tools/rsync.js';
import { isInPlaceChange } from './reconcile-plan.js';
import { readRecordsSync } from './read-records.js';
import { InterruptedError, ToolError } from '../errors.js';

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
    throw new ToolError(`rsync --dry-run of ${q.srcRoot} failed (exit ${out.exitCode}): ${describeRsyncFailure(out)}; ` +
      'check that the source is readable, then run the backup again', out.stderr);
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

/** The names of a NUL-separated list file. */
export const readNulList = (file: string): Generator<string> => readRecordsSync(file, '\0');
