/**
 * `__complete WORDS…` (hidden): what the bash and zsh completion scripts offer for the last word.
 * Always quiet and exit 0: a missing config or an absent backup disk just means no snapshot names.
 */
import type { Context } from '../cli/context.js';
import { completionFor } from '../cli/complete.js';
import { buildProgram } from '../cli/program.js';
import { loadConfig } from '../config/load.js';
import { ExitCode } from '../errors.js';
import { listSnapshots } from '../repository/snapshots.js';

/** The value of `--config` among the typed words (`--config F` or `--config=F`), if any. */
export function typedConfig(typed: string[]): string | undefined {
  let found: string | undefined;
  typed.slice(0, -1).forEach((w, i) => {
    if (w === '--config') found = typed[i + 1];
    else if (w.startsWith('--config=')) found = w.slice('--config='.length);
  });
  return found;
}

/** Snapshot ids and their dates (both are accepted as SNAPSHOT); none when the disk is absent. */
function snapshotNames(configFile: string | undefined): string[] {
  try {
    const snapshots = listSnapshots(loadConfig(configFile).destination.root);
    return [...new Set([...snapshots.map((s) => s.id), ...snapshots.map((s) => s.date)])];
  } catch {
    return [];
  }
}

export default async function complete(_ctx: Context, _opts: object, typed: string[] = []): Promise<number> {
  const c = completionFor(buildProgram(async () => {}), typed.length ? typed : ['']);
  let lines: string[];
  if (c.kind === 'files' || c.kind === 'dirs') lines = [`:${c.kind}`];
  else if (c.kind === 'words') lines = c.words;
  else lines = [...c.fixed, ...snapshotNames(typedConfig(typed))].filter((w) => w.startsWith(c.prefix));
  if (lines.length) process.stdout.write(lines.join('\n') + '\n');
  return ExitCode.OK;
}
