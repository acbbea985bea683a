/**
 * Step 1 of a component sync: make <partial>/<name> a hardlink clone of the previous snapshot's
 * component, unless an interrupted run already left one (then it is reused as is).
 *
 * cp -al goes to a hidden temp name first and is renamed into place when complete, so a run
 * killed during the clone does not leave a half clone that the next run would mistake for a
 * finished one (it would still be correct, but every missing file would be copied, not linked).
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { hardlinkClone } from '../tools/coreutils.js';

export type CloneOutcome = 'cloned' | 'reused' | 'fresh';

export function cloneTempName(partialDir: string, name: string): string {
  return join(partialDir, `.${name}.cloning.tmp`);
}

export async function ensureClone(
  partialDir: string,
  prevDir: string | undefined,
  name: string,
  signal?: AbortSignal,
): Promise<CloneOutcome> {
  const target = join(partialDir, name);
  const tmp = cloneTempName(partialDir, name);
  if (existsSync(tmp)) rmSync(tmp, { recursive: true, force: true });
  if (existsSync(target)) return 'reused';
  mkdirSync(partialDir, { recursive: true });
  const prev = prevDir ? join(prevDir, name) : undefined;
  if (!prev || !existsSync(prev)) {
    mkdirSync(target, { mode: 0o700 });
    return 'fresh';
  }
  await hardlinkClone(prev, tmp, signal);
  renameSync(tmp, target);
  return 'cloned';
}
