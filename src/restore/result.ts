/**
 * What a restore hands back to its command: an outcome, the data for --json and the lines for a
 * person. The command prints them and maps the outcome to the exit code; the restore itself
 * knows nothing of the command line.
 */
import type { Config } from '../config/schema.js';
import { DiskFaultError, ExitCode } from '../errors.js';
import { syncFilesystem } from '../tools/sync.js';
import type { Logger } from '../log/logger.js';
import type { Progress } from '../log/progress.js';

export type RestoreOutcome = 'ok' | 'warning' | 'damaged';

export interface RestoreResult {
  outcome: RestoreOutcome;
  data: Record<string, unknown>;
  lines: string[];
  /** directories written to: their filesystems are flushed before the command reports (flushWritten) */
  written?: string[];
}

/** Plain inputs every restore needs. */
export interface RestoreEnv {
  config: Config;
  log: Logger;
  signal?: AbortSignal;
  /** the --config path the admin used, for the commands a restore prints */
  configFile?: string;
  /** live progress of the copies (src/log/progress.ts) */
  progress?: Progress;
}

export function outcomeExitCode(o: RestoreOutcome): number {
  return o === 'ok' ? ExitCode.OK : o === 'warning' ? ExitCode.WARNING : ExitCode.FAILED;
}

/** What a restore wrote is on its disk before the command says "restored": one syncfs per directory's filesystem. */
export async function flushWritten(r: RestoreResult, signal?: AbortSignal): Promise<void> {
  await flushDirs(r.written ?? [], signal);
}

/** flushWritten for a restore that must know its files are on the disk before it goes on. */
export async function flushDirs(dirs: string[], signal?: AbortSignal): Promise<void> {
  for (const dir of new Set(dirs)) {
    const s = await syncFilesystem(dir, signal);
    if (!s.ok) {
      throw new DiskFaultError(`the files restored under ${dir} may not be on the disk: syncing its filesystem failed (${s.error}); check \`dmesg\` for that disk, then run the restore again`);
    }
  }
}
