/**
 * Shared (reader) locks: verify, restore and drill each write one file under `.readers/`
 * naming the snapshots they read, and remove it when done. Readers never block each other or
 * the writer; rotation defers deleting a snapshot a live reader holds. A reader file whose
 * holder is provably gone (the same rules as the writer's lock, holder.ts) blocks nothing.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DestinationError } from '../errors.js';
import { judge, selfRecord, type HolderRecord, type Verdict } from './holder.js';
import { layout } from './layout.js';

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
    mkdirSync(dir, { recursive: true, mode: 0o700 });
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
    names = readdirSync(layout.readers(root)).filter((n) => n.endsWith('.json'));
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
