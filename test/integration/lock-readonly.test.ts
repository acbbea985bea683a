/**
 * A stale lock on a destination that turned read-only (a failed disk): taking it over fails at
 * once with the filesystem's error instead of retrying the rename forever.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireLock } from '../../src/repository/lock.js';
import { mountTmpfs, type Mounted } from '../helpers/mount.js';

describe('the writer lock on a read-only destination', () => {
  let disk: Mounted | undefined;
  afterEach(async () => {
    if (disk) execFileSync('mount', ['-o', 'remount,rw', disk.dir]);
    await disk?.cleanup();
    disk = undefined;
  });

  it('a stale lock that cannot be removed is an error, not an endless retry', async () => {
    disk = await mountTmpfs(8);
    const root = join(disk.dir, 'mailserver');
    mkdirSync(root);
    const dead = spawnSync('true').pid;
    writeFileSync(join(root, '.lock'), JSON.stringify({ pid: dead, host: (await import('node:os')).hostname(), command: 'backup', startedAt: new Date(Date.now() - 60_000).toISOString() }));
    execFileSync('mount', ['-o', 'remount,ro', disk.dir]);
    const outcome = await Promise.race([
      acquireLock(root, { command: 'backup' }).then(() => 'acquired', (err: NodeJS.ErrnoException) => err.code),
      new Promise((r) => setTimeout(() => r('still retrying after 5 s'), 5000)),
    ]);
    expect(outcome).toBe('EROFS');
  });
});
