/**
 * A rotation's intent to delete one snapshot: `.readers/deleting-<kind>-<date>.json`, holding the
 * holder record of holder.ts plus the snapshot id. Rotation creates it before it looks at the
 * readers and removes it once the victim is renamed away or deferred; the protocol around it is
 * described in readers.ts. An intent whose holder is gone (a crashed rotation) is stale and
 * blocks nothing, like any lock.
 */
import { linkSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeDir } from './atomic.js';
import { judge, selfRecord, type HolderRecord, type Verdict } from './holder.js';
import { deletionIntentId, layout } from './layout.js';

export interface IntentRecord extends HolderRecord {
  /** the snapshot id to delete, e.g. daily/2026-09-01 */
  snapshot: string;
}

export interface JudgedIntent {
  file: string;
  /** the snapshot id its name stands for */
  id: string;
  record?: IntentRecord;
  verdict: Verdict;
}

export interface DeletionIntent {
  file: string;
  record: IntentRecord;
  release(): void;
}

function readJudged(file: string, id: string): JudgedIntent | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const record = JSON.parse(text) as IntentRecord;
    return { file, id, record, verdict: judge(record) };
  } catch {
    // written whole through link(), so an unreadable one was damaged, not half-written
    return { file, id, verdict: { kind: 'stale', reason: 'the intent file is unreadable' } };
  }
}

/** The intent on snapshot `id`, judged; undefined when there is none. */
export function readIntent(root: string, id: string): JudgedIntent | undefined {
  return readJudged(layout.deletionIntent(root, id), id);
}

export function listIntents(root: string): JudgedIntent[] {
  let names: string[];
  try {
    names = readdirSync(layout.readers(root));
  } catch {
    return [];
  }
  return names
    .sort()
    .flatMap((n) => {
      const id = deletionIntentId(n);
      const got = id ? readJudged(join(layout.readers(root), n), id) : undefined;
      return got ? [got] : [];
    });
}

function unlinkQuiet(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    /* removed meanwhile */
  }
}

/**
 * Announces the deletion of `id` (the caller holds the writer's lock). The record is written
 * whole to a temporary name and linked into place, so it appears at once and complete, and
 * link() fails on an existing one like O_EXCL. A stale one left by a crashed rotation is
 * replaced; one that is not stale (another machine's, forced past its lock) is returned instead.
 */
export function claimDeletion(root: string, id: string, command: string): { intent: DeletionIntent } | { heldBy: JudgedIntent } {
  const file = layout.deletionIntent(root, id);
  const record: IntentRecord = { ...selfRecord(command), snapshot: id };
  makeDir(layout.readers(root)); // one level: never recreates a root whose disk went away
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(record) + '\n', { mode: 0o600 });
  try {
    for (;;) {
      try {
        linkSync(tmp, file);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const cur = readIntent(root, id);
      if (cur && cur.verdict.kind !== 'stale') return { heldBy: cur };
      if (cur) unlinkQuiet(file);
    }
  } finally {
    unlinkQuiet(tmp);
  }
  return { intent: { file, record, release: () => unlinkQuiet(file) } };
}

/** Removes intents whose holder is provably gone; returns them. */
export function removeStaleIntents(root: string): JudgedIntent[] {
  const stale = listIntents(root).filter((i) => i.verdict.kind === 'stale');
  for (const i of stale) unlinkQuiet(i.file);
  return stale;
}
