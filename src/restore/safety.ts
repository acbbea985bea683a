/**
 * Invariant 9 of docs/invariants.md: whatever an in-place restore replaces is first saved under
 * <destination.root>/safety/<timestamp>/, with a safety.json saying what it was and how to put it back.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import { openDestination } from '../repository/destination.js';
import type { Lock } from '../repository/lock.js';
import { layout } from '../repository/layout.js';
import { makeDir, writeJsonAtomic } from '../repository/atomic.js';

export interface SafetyRecord {
  command: string;
  createdAt: string;
  snapshot: string;
  /** what was saved: live path → path inside this safety directory */
  saved: { live: string; copy: string }[];
  note?: string;
}

/** 2026-11-28T03-12-45Z: sortable, no colons (they upset some tools and filesystems). */
export function safetyStamp(d = new Date()): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}

export interface SafetyDir {
  dir: string;
  lock: Lock;
  record(rec: Omit<SafetyRecord, 'createdAt'>): void;
  release(): void;
}

/** Two restores in the same second get <stamp>, <stamp>-2, … rather than sharing a directory. */
function uniqueDir(base: string): string {
  for (let n = 1; ; n++) {
    const dir = n === 1 ? base : `${base}-${n}`;
    try {
      mkdirSync(dir, { mode: 0o700 });
      return dir;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

/** Checks the destination, takes the lock (the safety copy is a write), and creates the directory. */
export async function openSafetyDir(config: Config, command: string, stamp = safetyStamp()): Promise<SafetyDir> {
  const dest = await openDestination(config, 'exclusive', { command });
  const root = dest.root;
  const lock = dest.lock!;
  try {
    makeDir(layout.safety(root));
    const dir = uniqueDir(join(layout.safety(root), stamp));
    chmodSync(dir, 0o700);
    const createdAt = new Date().toISOString();
    return {
      dir,
      lock,
      record: (rec) => writeJsonAtomic(join(dir, 'safety.json'), { ...rec, createdAt }, 0o600),
      release: () => lock.release(),
    };
  } catch (err) {
    lock.release();
    throw err;
  }
}
