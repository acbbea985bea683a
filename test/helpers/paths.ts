/**
 * Where the repository and the built CLI are, whether the helpers run from source (vitest)
 * or bundled in dist/test-harness.mjs (demo, bench); plus the small deep-merge the config uses.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The directory holding package.json, searched upward from this module, then from the cwd. */
export function repoRoot(): string {
  for (const start of [dirname(fileURLToPath(import.meta.url)), process.cwd()]) {
    for (let dir = start; ; dir = dirname(dir)) {
      if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src', 'cli'))) return dir;
      if (dirname(dir) === dir) break;
    }
  }
  throw new Error(`cannot find the mailbackup repository from ${import.meta.url} or ${process.cwd()}`);
}

/** dist/mailbackup.mjs; `npm run build` (or the vitest globalSetup) makes it. */
export function cliPath(): string {
  return join(repoRoot(), 'dist', 'mailbackup.mjs');
}

export type Patch = { [key: string]: unknown };

const isPlainObject = (v: unknown): v is Patch => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Objects merge key by key; arrays and scalars replace; `undefined` deletes the key. */
export function deepMerge(target: Patch, patch: Patch): Patch {
  const out: Patch = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete out[k];
    else if (isPlainObject(v) && isPlainObject(out[k])) out[k] = deepMerge(out[k], v);
    else out[k] = v;
  }
  return out;
}
