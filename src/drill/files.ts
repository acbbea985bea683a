/**
 * Restores every file component of a snapshot into the scratch directory (the same rsync copy
 * `restore` uses) and checks what arrived against manifest.sha256: every listed file present
 * with its hash, nothing unlisted. Dumps are checked where they lie: the drill loads them from there.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createHashPool } from '../engine/index.js';
import { FILE_COMPONENTS, layout, type FileComponent } from '../repository/layout.js';
import { copyTree } from '../tools/rsync-restore.js';
import { readManifest } from '../verify/manifest.js';
import { walkFiles } from '../verify/walk.js';
import type { DrillCheck } from './report.js';

export function componentsIn(snapDir: string): FileComponent[] {
  return FILE_COMPONENTS.filter((c) => existsSync(layout.component(snapDir, c)));
}

export async function restoreComponent(snapDir: string, workdir: string, c: FileComponent, signal?: AbortSignal): Promise<void> {
  await copyTree(layout.component(snapDir, c), join(workdir, c), { signal });
}

/** At most this many paths are named in a check's detail; the count says the rest. */
const SHOWN = 10;
const listed = (paths: string[]) => paths.slice(0, SHOWN).join(', ') + (paths.length > SHOWN ? `, … (${paths.length} in all)` : '');

export async function checkAgainstManifest(snapDir: string, workdir: string, restored: FileComponent[]): Promise<DrillCheck> {
  const manifest = await readManifest(layout.manifest(snapDir));
  const inRestored = (p: string) => restored.some((c) => p.startsWith(c + '/'));
  const damaged: string[] = [];
  const missing: string[] = [];
  const unlisted: string[] = [];
  const pool = createHashPool();
  const pending: Promise<void>[] = [];
  const compare = (rel: string, abs: string) =>
    pool.hashFile(abs).then(
      (hex) => void (hex !== manifest.get(rel) && damaged.push(rel)),
      (err: NodeJS.ErrnoException) => void (err.code === 'ENOENT' ? missing : damaged).push(rel),
    );
  try {
    const seen = new Set<string>();
    for await (const f of walkFiles(workdir)) {
      if (!restored.some((c) => f.rel.startsWith(c + '/'))) continue; // scratch files of later phases
      seen.add(f.rel);
      if (!manifest.has(f.rel)) unlisted.push(f.rel);
      else pending.push(compare(f.rel, f.abs));
    }
    for (const rel of manifest.keys()) {
      if (inRestored(rel)) {
        if (!seen.has(rel)) missing.push(rel);
      } else pending.push(compare(rel, join(snapDir, rel))); // dumps and anything outside the file components
    }
    await Promise.all(pending);
  } finally {
    await pool.close();
  }
  const problems = [
    damaged.length ? `content differs from manifest.sha256: ${listed(damaged.sort())}` : '',
    missing.length ? `missing: ${listed(missing.sort())}` : '',
    unlisted.length ? `not in the manifest: ${listed(unlisted.sort())}` : '',
  ].filter(Boolean);
  return problems.length
    ? { name: 'manifest', status: 'fail', detail: problems.join('; ') }
    : { name: 'manifest', status: 'ok', detail: `${manifest.size} files match manifest.sha256` };
}
