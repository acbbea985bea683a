/**
 * Shared (reader) locks: verify, restore and drill each write one file under `.readers/`
 * naming the snapshots they read, and remove it when done. Readers never block each other or
 * the writer; rotation defers deleting a snapshot a live reader holds. A reader file whose
 * holder is provably gone (the same rules as the writer's lock, holder.ts) blocks nothing.
 *
 * Deleting and reading never interleave (invariant 5), by a Dekker-style pair of files:
 * - rotation (rotate.ts) first writes its intent to delete (deletion-intent.ts), THEN looks at
 *   the readers, and renames the victim away only when no live reader holds it;
 * - a reader (holdSnapshot) first registers the snapshot in its file, THEN looks for an intent.
 * Whichever writes second sees the other: rotation defers, or the reader drops the snapshot and
 * retries (destination.ts) before it has read anything. A held snapshot is never renamed.
 */
import { existsSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DestinationError } from '../errors.js';
import { makeDir } from './atomic.js';
import { readIntent, type JudgedIntent } from './deletion-intent.js';
import { judge, selfRecord, type HolderRecord, type Verdict } from './holder.js';
import { deletionIntentId, layout } from './layout.js';

export interface ReaderRecord extends HolderRecord {
  /** snapshot ids held, e.g. daily/2026-09-01 */
  snapshots: string[];
}

export interface ReaderFile {
  file: string;
  record?: ReaderRecord;
}

export interface Reader {
  file: string;
  record: ReaderRecord;
  /** holds one more snapshot (rewrites the file atomically) */
  add(id: string): void;
  drop(id: string): void;
  release(): void;
}

let seq = 0;

function write(file: string, rec: ReaderRecord): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(rec) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}

/**
 * A destination mounted read-only (a disk attached to a new machine for recovery) takes no
 * reader file: nothing on this machine can rotate it meanwhile.
 */
export function openReader(root: string, command: string): Reader {
  const dir = layout.readers(root);
  const record: ReaderRecord = { ...selfRecord(command), snapshots: [] };
  const file = join(dir, `${record.host}-${record.pid}-${Date.now()}-${seq++}.json`);
  try {
    makeDir(dir); // one level: never recreates a root whose disk went away
    write(file, record);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EROFS') return { file, record, add: (id) => void record.snapshots.push(id), drop: () => undefined, release: () => undefined };
    throw new DestinationError(`cannot write the reader lock ${file} (${(err as Error).message}): run as the user that owns ${root} (usually root), and check the disk`);
  }
  let released = false;
  return {
    file,
    record,
    add(id) {
      if (!record.snapshots.includes(id)) record.snapshots.push(id);
      write(file, record);
    },
    drop(id) {
      record.snapshots = record.snapshots.filter((s) => s !== id);
      write(file, record);
    },
    release() {
      if (released) return;
      released = true;
      try {
        unlinkSync(file);
      } catch {
        /* already removed (by `mailbackup unlock`) */
      }
    },
  };
}

export function listReaders(root: string): ReaderFile[] {
  let names: string[];
  try {
    names = readdirSync(layout.readers(root)).filter((n) => n.endsWith('.json') && !deletionIntentId(n));
  } catch {
    return [];
  }
  return names.sort().map((n) => {
    const file = join(layout.readers(root), n);
    try {
      return { file, record: JSON.parse(readFileSync(file, 'utf8')) as ReaderRecord };
    } catch {
      return { file }; // vanished or half-written: its writer died (or just released)
    }
  });
}

export interface JudgedReader extends ReaderFile {
  verdict: Verdict;
}

export function judgeReaders(root: string): JudgedReader[] {
  return listReaders(root).map((r) => ({
    ...r,
    verdict: r.record ? judge(r.record) : { kind: 'stale', reason: 'the reader file is unreadable' },
  }));
}

/** Removes reader files whose holder is provably gone; returns them. */
export function removeStaleReaders(readers: JudgedReader[]): JudgedReader[] {
  const stale = readers.filter((r) => r.verdict.kind === 'stale');
  for (const r of stale) {
    try {
      unlinkSync(r.file);
    } catch {
      /* gone meanwhile */
    }
  }
  return stale;
}

/** Readers that may still be reading `id`: live ones, and foreign ones (which cannot be judged). */
export function holdersOf(readers: JudgedReader[], id: string): JudgedReader[] {
  return readers.filter((r) => r.verdict.kind !== 'stale' && r.record?.snapshots.includes(id));
}

/** held: read it; busy: a rotation may be between its look and its rename, look again; gone: deleted. */
export type HoldState = 'held' | 'busy' | 'gone';

/** The reader's decision once its registration is written: an intent that is not stale wins. */
export function holdState(intent: Verdict | undefined, exists: boolean): HoldState {
  if (intent && intent.kind !== 'stale') return 'busy';
  return exists ? 'held' : 'gone';
}

/**
 * The reader's half: register, then look for an intent, then for the directory; unregister
 * unless held. Step by step (each `yield` is a point where a rotation may run), so a test can
 * interleave it with rotation's half every possible way; holdSnapshot runs it straight through.
 */
export function* holdSteps(reader: Reader, root: string, snap: { id: string; dir: string }): Generator<void, { state: HoldState; intent?: JudgedIntent }> {
  reader.add(snap.id);
  yield;
  const intent = readIntent(root, snap.id);
  yield;
  const state = holdState(intent?.verdict, existsSync(snap.dir));
  if (state !== 'held') reader.drop(snap.id);
  return { state, intent };
}

export function holdSnapshot(reader: Reader, root: string, snap: { id: string; dir: string }): { state: HoldState; intent?: JudgedIntent } {
  return runSteps(holdSteps(reader, root, snap));
}

/** Runs a step-by-step half of the protocol to its end. */
export function runSteps<T>(steps: Generator<void, T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}
