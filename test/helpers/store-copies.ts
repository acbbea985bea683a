/**
 * Saved copies of a fixture's destination root, so that each test starts from the store it
 * needs (an empty one, one with a given daily) instead of from what the test before it left.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface StoreCopies {
  /** keeps a copy of the destination as it is now, under `name` */
  save(name: string): void;
  /** replaces the destination by the copy saved under `name` */
  use(name: string): void;
  cleanup(): void;
}

export function storeCopies(destRoot: string): StoreCopies {
  const dir = mkdtempSync(join(tmpdir(), 'mb-store-copies-'));
  // cp -a keeps owners, modes, times and the hardlinks between snapshots
  const copy = (from: string, to: string) => execFileSync('cp', ['-a', from, to]);
  return {
    save: (name) => copy(destRoot, join(dir, name)),
    use(name) {
      rmSync(destRoot, { recursive: true, force: true });
      copy(join(dir, name), destRoot);
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
