/** Offsite runs mail like a backup run: the same message, subject and rules (notify/). */
import { hostname } from 'node:os';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { notifyRun } from '../notify/index.js';

export interface OffsiteRun {
  command: string;
  exitCode: number;
  failures: { step: string; error: string }[];
  warnings: string[];
  snapshot?: string;
  startedAt: string;
  lines: string[];
}

export async function mailOffsiteRun(config: Config, run: OffsiteRun, log: Logger): Promise<void> {
  await notifyRun(config, {
    command: run.command, host: hostname(), exitCode: run.exitCode, failures: run.failures, warnings: run.warnings,
    snapshot: run.snapshot, logLines: run.lines, destinationRoot: config.destination.root,
    startedAt: run.startedAt, finishedAt: new Date().toISOString(),
  }, log);
}
