/**
 * Small state files under <root>/.state/: the last run of each command (status reads it to
 * report "last run's result" without walking anything) and notification state.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from './atomic.js';
import { layout } from './layout.js';

export interface LastRun {
  command: string;
  runId: string;
  startedAt: string;
  finishedAt: string;
  exitCode: number;
  /** snapshot id the run made or worked on */
  snapshot?: string;
  /** one line per failure, for status and the failure mail */
  errors: string[];
  warnings: string[];
}

export function readState<T>(root: string, name: string): T | undefined {
  try {
    return JSON.parse(readFileSync(join(layout.state(root), `${name}.json`), 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export function writeState(root: string, name: string, value: unknown): void {
  mkdirSync(layout.state(root), { recursive: true, mode: 0o700 });
  writeJsonAtomic(join(layout.state(root), `${name}.json`), value, 0o600);
}

/** `last-backup` holds the newest backup run, whatever its outcome. */
export const readLastBackup = (root: string) => readState<LastRun>(root, 'last-backup');
export const writeLastBackup = (root: string, run: LastRun) => writeState(root, 'last-backup', run);
