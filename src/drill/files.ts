/**
 * Restores every file component of a snapshot into the scratch directory (the same copy
 * `restore all` uses: cp -a into a new directory, rsync into an existing one) and checks what arrived against manifest.sha256: every listed file present
 * with its hash, nothing unlisted. Dumps are checked where they lie: the drill loads them from there.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createHashPool } from '../engine/index.js';
import { FILE_COMPONENTS, layout, type FileComponent } from '../repository/layout.js';
import { copyComponent, type CopyTreeOptions } from '../tools/rsync-restore.js';
import { mergeWithManifest, pairByMap, UnsortedManifest, type PairHooks } from '../verify/pair.js';
import type { DrillCheck } from './report.js';

export function componentsIn(snapDir: string): FileComponent[] {
  return FILE_COMPONENTS.filter((c) => existsSync(layout.component(snapDir, c)));
}

export async function restoreComponent(
  snapDir: string, workdir: string, c: FileComponent, signal?: AbortSignal, progress?: CopyTreeOptions['progress'], totals?: { files: number; bytes: number },
): Promise<void> {
  await copyComponent(layout.component(snapDir, c), join(workdir, c), { signal, progress, totals });
}

/** At most this many paths are named in a check's detail; the count says the rest. */
const SHOWN = 10;
const MAX_IN_FLIGHT = 64;

class Named {
  readonly paths: string[] = [];
  count = 0;
  add(p: string): void {
    if (this.count++ < SHOWN) this.paths.push(p);
  }
  clear(): void {
    this.paths.length = 0;
    this.count = 0;
  }
  describe(what: string): string {
    return this.count ? `${what}: ${this.paths.sort().join(', ')}${this.count > SHOWN ? `, … (${this.count} in all)` : ''}` : '';
  }
}

/**
 * The restored tree against the snapshot's manifest.sha256, streamed like verify (pair.ts): the
 * walk and the manifest merged in byte order, at most MAX_IN_FLIGHT hashes at a time, only the
 * first few problem paths kept. Dumps (outside the file components) are hashed where they lie.
 */
export async function checkAgainstManifest(snapDir: string, workdir: string, restored: FileComponent[]): Promise<DrillCheck> {
  const inRestored = (p: string) => restored.some((c) => p.startsWith(c + '/'));
  const damaged = new Named();
  const missing = new Named();
  const unlisted = new Named();
  let files = 0;
  const pool = createHashPool();
  const inFlight = new Set<Promise<void>>();
  const compare = async (rel: string, abs: string, expected: string) => {
    files++;
    while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
    const p: Promise<void> = pool.hashFile(abs).then(
      (hex) => void (hex !== expected && damaged.add(rel)),
      (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? missing : damaged).add(rel),
    ).finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  const hooks: PairHooks = {
    match: (f, sha) => (inRestored(f.rel) ? compare(f.rel, f.abs, sha) : undefined),
    // listed, not restored: a lost file, or a dump, which the drill loads from where it lies
    missing: (path, sha) => (inRestored(path) ? missing.add(path) : compare(path, join(snapDir, path), sha)),
    unexpected: (f) => void (inRestored(f.rel) && unlisted.add(f.rel)), // else: scratch files of later phases
  };
  try {
    try {
      await mergeWithManifest(workdir, layout.manifest(snapDir), hooks);
    } catch (err) {
      if (!(err instanceof UnsortedManifest)) throw err;
      await Promise.all(inFlight);
      damaged.clear();
      missing.clear();
      unlisted.clear();
      files = 0;
      await pairByMap(workdir, layout.manifest(snapDir), hooks);
    }
    await Promise.all(inFlight);
  } finally {
    await pool.close();
  }
  const problems = [damaged.describe('content differs from manifest.sha256'), missing.describe('missing'), unlisted.describe('not in the manifest')].filter(Boolean);
  return problems.length
    ? { name: 'manifest', status: 'fail', detail: problems.join('; ') }
    : { name: 'manifest', status: 'ok', detail: `${files} files match manifest.sha256` };
}
