/**
 * Small state files under <root>/.state/: the last run of each command (status reads it to
 * report "last run's result" without walking anything) and notification state.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeDir, writeJsonAtomic } from './atomic.js';
import type { HolderRecord } from './holder.js';
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
  /** the run's process, so the lock it could not remove is known as its own (issue 29) */
  pid?: number;
  host?: string;
  /** the run failed because the backup disk failed: its .partial is not reused */
  diskFault?: boolean;
}

export function readState<T>(root: string, name: string): T | undefined {
  try {
    return JSON.parse(readFileSync(join(layout.state(root), `${name}.json`), 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export function writeState(root: string, name: string, value: unknown): void {
  makeDir(layout.state(root));
  writeJsonAtomic(join(layout.state(root), `${name}.json`), value, 0o600);
}

/** `last-backup` holds the newest backup run, whatever its outcome. */
const readLastBackup = (root: string) => readState<LastRun>(root, 'last-backup');
export const writeLastBackup = (root: string, run: LastRun) => writeState(root, 'last-backup', run);

/**
 * The last backup run is also kept on this host (log.dir): a run that failed because the disk
 * failed, went read-only or vanished cannot record itself there, and status must still know.
 * Readers take the newer of the two.
 */
const LOCAL_LAST_BACKUP = 'last-backup.json';

export function writeLocalLastBackup(logDir: string, run: LastRun): void {
  mkdirSync(logDir, { recursive: true, mode: 0o700 }); // host-local, not the destination
  writeJsonAtomic(join(logDir, LOCAL_LAST_BACKUP), run, 0o600);
}

function readLocalLastBackup(logDir: string): LastRun | undefined {
  try {
    return JSON.parse(readFileSync(join(logDir, LOCAL_LAST_BACKUP), 'utf8')) as LastRun;
  } catch {
    return undefined;
  }
}

/** The newer record of the last backup: the destination's (`root` undefined when unusable) or this host's. */
export function readNewestLastBackup(root: string | undefined, logDir: string): LastRun | undefined {
  const onDisk = root ? readLastBackup(root) : undefined;
  const local = readLocalLastBackup(logDir);
  if (!onDisk || !local) return onDisk ?? local;
  return Date.parse(local.finishedAt) > Date.parse(onDisk.finishedAt) ? local : onDisk;
}

/** True when `lock` was written by the run `last` records as finished: that run ended, its lock stayed behind. */
export function leftByFinishedRun(lock: HolderRecord | undefined, last: LastRun | undefined): boolean {
  return Boolean(lock && last?.pid === lock.pid && last.host === lock.host && Date.parse(last.finishedAt) >= Date.parse(lock.startedAt));
}
