/**
 * What a restore hands back to its command: an outcome, the data for --json and the lines for a
 * person. The command prints them and maps the outcome to the exit code; the restore itself
 * knows nothing of the command line.
 */
import type { Config } from '../config/schema.js';
import { ExitCode } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { Progress } from '../log/progress.js';

export type RestoreOutcome = 'ok' | 'warning' | 'damaged';

export interface RestoreResult {
  outcome: RestoreOutcome;
  data: Record<string, unknown>;
  lines: string[];
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
