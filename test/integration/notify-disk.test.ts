/**
 * Disk-usage warning on a real, nearly full filesystem (tmpfs, and a loop-mounted ext4 like the
 * USB disk), measured like df, and the warning mail it produces.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { createRunLog } from '../../src/log/logger.js';
import { diskUsage, diskWarning, notifyRun } from '../../src/notify/index.js';
import { mountLoopExt4, mountTmpfs, type Mounted } from '../helpers/mount.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp-server.js';

let disk: Mounted;
let smtp: TestSmtp;
const logDir = mkdtempSync(join(tmpdir(), 'mb-notify-disk-'));

beforeAll(async () => {
  disk = await mountTmpfs(8);
  smtp = await startSmtp();
});
afterAll(async () => {
  await smtp?.close();
  await disk?.cleanup();
  rmSync(logDir, { recursive: true, force: true });
});

function dfPercent(dir: string): number {
  const out = execFileSync('df', ['--output=pcent', dir], { encoding: 'utf8' });
  return Number(out.trim().split('\n')[1].replace('%', ''));
}

function config(onWarning = true) {
  return parseConfig({
    source: { root: '/srv/mail' },
    destination: { root: disk.dir },
    database: {},
    notify: {
      email: { to: ['admin@example.com'], from: 'backup@example.com', onWarning, smtp: { host: '127.0.0.1', port: smtp.port } },
      diskUsageWarnPercent: 80,
    },
  });
}

describe('disk usage warning', () => {
  it('is silent on an empty disk and warns when the disk passes 80 %, agreeing with df', async () => {
    expect(diskWarning(config(), disk.dir)).toBeUndefined();
    writeFileSync(join(disk.dir, 'filler'), Buffer.alloc(7 * 1024 * 1024 + 512 * 1024, 1));
    const usage = diskUsage(disk.dir);
    expect(usage.usedPercent).toBe(dfPercent(disk.dir));
    expect(usage.usedPercent).toBeGreaterThan(80);
    expect(usage.totalBytes).toBe(8 * 1024 * 1024);
    expect(usage.usedBytes + usage.freeBytes).toBe(usage.totalBytes);
    const warning = diskWarning(config(), disk.dir);
    expect(warning).toMatch(new RegExp(`^destination disk ${disk.dir} is ${usage.usedPercent}% full`));

    const log = createRunLog({ dir: logDir, silent: true }).log;
    const report = {
      command: 'backup',
      host: 'mail01',
      exitCode: 1,
      failures: [],
      warnings: [warning!],
      snapshot: 'daily/2026-11-28',
      latest: { id: 'daily/2026-11-28', finishedAt: '2026-11-28T03:20:00Z' },
      logLines: ['2026-11-28 03:20:00 WARN disk usage high'],
      destinationRoot: disk.dir,
      startedAt: '2026-11-28T03:00:00Z',
      finishedAt: '2026-11-28T03:20:00Z',
    };
    await notifyRun(config(false), report, log);
    expect(smtp.messages).toHaveLength(0);
    await notifyRun(config(true), report, log);
    expect(smtp.messages).toHaveLength(1);
    expect(smtp.messages[0].subject).toBe(`[mailbackup] WARNING backup on mail01: destination disk ${disk.dir} is ${usage.usedPercent}% full (7.5 MiB used, 512 KiB free, warning at 80%)`);
    expect(smtp.messages[0].text).toContain('run `mailbackup rotate`');
  });

  it('measures a nearly full loop-mounted ext4 like df and warns', async () => {
    const ext4 = await mountLoopExt4(32);
    try {
      const empty = diskUsage(ext4.dir);
      expect(empty.usedPercent).toBe(dfPercent(ext4.dir));
      expect(diskWarning(config(), ext4.dir)).toBeUndefined();
      // leave about 10 % of the usable space free
      const fill = empty.freeBytes - Math.floor((empty.usedBytes + empty.freeBytes) / 10);
      writeFileSync(join(ext4.dir, 'filler'), Buffer.alloc(fill, 1));
      const full = diskUsage(ext4.dir);
      expect(full.usedPercent).toBe(dfPercent(ext4.dir));
      expect(full.usedPercent).toBeGreaterThan(80);
      expect(diskWarning(config(), ext4.dir)).toMatch(new RegExp(`^destination disk ${ext4.dir} is ${full.usedPercent}% full`));
    } finally {
      await ext4.cleanup();
    }
  });

  it('gives no disk warning for a path that is not there (the destination check reports that)', () => {
    expect(diskWarning(config(), join(disk.dir, 'missing'))).toBeUndefined();
  });
});
