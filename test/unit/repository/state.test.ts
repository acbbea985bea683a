/** The last backup run, kept on the destination and on this host: which one counts, and whose lock stayed. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { leftByFinishedRun, readNewestLastBackup, writeLastBackup, writeLocalLastBackup, type LastRun } from '../../../src/repository/state.js';

const run = (finishedAt: string, exitCode: number): LastRun => ({ command: 'backup', runId: finishedAt, startedAt: finishedAt, finishedAt, exitCode, errors: [], warnings: [], pid: 4242, host: 'mail01' });

describe('the last backup run', () => {
  const dirs: string[] = [];
  const temp = () => {
    const d = mkdtempSync(join(tmpdir(), 'mb-state-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('is the newer of the destination\'s record and this host\'s', () => {
    const [root, logDir] = [temp(), temp()];
    writeLastBackup(root, run('2026-11-01T03:10:00Z', 0));
    writeLocalLastBackup(join(logDir, 'log'), run('2026-11-02T03:10:00Z', 2)); // the disk failed: only here
    expect(readNewestLastBackup(root, join(logDir, 'log'))?.exitCode).toBe(2);
    writeLastBackup(root, run('2026-11-03T03:10:00Z', 0));
    expect(readNewestLastBackup(root, join(logDir, 'log'))?.exitCode).toBe(0);
    expect(readNewestLastBackup(undefined, join(logDir, 'log'))?.exitCode).toBe(2); // destination unusable
    expect(readNewestLastBackup(undefined, join(logDir, 'none'))).toBeUndefined();
  });

  it('knows a lock left by a run that finished (it could not remove it) from one of another run', () => {
    const lock = { pid: 4242, host: 'mail01', command: 'backup', startedAt: '2026-11-02T03:00:00Z' };
    expect(leftByFinishedRun(lock, run('2026-11-02T03:10:00Z', 2))).toBe(true);
    expect(leftByFinishedRun({ ...lock, pid: 99 }, run('2026-11-02T03:10:00Z', 2))).toBe(false);
    expect(leftByFinishedRun({ ...lock, host: 'mail02' }, run('2026-11-02T03:10:00Z', 2))).toBe(false);
    expect(leftByFinishedRun(lock, run('2026-11-01T03:10:00Z', 2))).toBe(false); // that run ended before this lock
    expect(leftByFinishedRun(undefined, run('2026-11-02T03:10:00Z', 2))).toBe(false);
  });
});
