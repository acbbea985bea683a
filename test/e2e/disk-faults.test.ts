/**
 * Issue 29: a snapshot reported ok is on the disk, and a failing disk never costs an earlier
 * snapshot. Real faults on a loop-mounted ext4 (errors=remount-ro): an ext4 error right after an
 * ok run and in the middle of one, EIO from the device below ext4 (its image on a tmpfs that
 * fills), and the disk going away (lazy unmount) during the copy.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFixture, type Fixture } from '../helpers/fixture.js';
import { growBacking, isMounted, pausingRsync, repairAndRemount, triggerFsError } from '../helpers/disk-faults.js';
import { diffStates, treeState } from '../helpers/tree-state.js';
import { waitFor } from '../helpers/wait.js';

const latest = (f: Fixture) => (existsSync(join(f.destRoot, 'latest')) ? readlinkSync(join(f.destRoot, 'latest')) : undefined);
/** Exit code and stderr of a started run; a run that does not end within a minute is a hang (killed, test fails). */
function finished(child: ChildProcess): Promise<{ code: number; stderr: string; hung: boolean }> {
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128, stderr, hung: signal === 'SIGKILL' });
    });
  });
}

/** Every file of the snapshot against its manifest, read from the (freshly mounted) disk. */
function sha256sumCheck(snapDir: string): string {
  try {
    execFileSync('sha256sum', ['-c', '--quiet', 'manifest.sha256'], { cwd: snapDir, stdio: 'pipe' });
    return '';
  } catch (err) {
    return String((err as { stdout?: Buffer }).stdout ?? err).slice(0, 2000);
  }
}

/** New mail the next run must copy: `count` messages of `kib` KiB of random bytes in one INBOX. */
function deliver(f: Fixture, count: number, kib: number): void {
  const inbox = join(f.tree.users[0].mailbox, 'new');
  for (let i = 0; i < count; i++) {
    const body = randomBytes(kib * 1024).toString('base64');
    writeFileSync(join(inbox, `${1_765_000_000 + i}.M${i}P1.mail01`), `From: a@example.com\r\nSubject: big ${i}\r\n\r\n${body}\r\n`);
  }
}

describe('a failing backup disk (issue 29)', () => {
  let f: Fixture | undefined;
  afterEach(async () => {
    await f?.cleanup();
    f = undefined;
  });

  it('an ok snapshot survives an ext4 error right after the run: it was on the disk before exit 0', async () => {
    f = await createFixture({ tree: { domains: 2, usersPerDomain: 3, messagesPerFolder: 40, attachmentFraction: 0.2 } });
    const r = await f.run(['backup', '--date', '2026-11-01']);
    expect(r.code, r.stderr).toBe(0);
    const snap = join(f.destRoot, 'daily/2026-11-01');
    const before = treeState(snap); // from the page cache: what the run wrote
    // seconds later the disk fails (a bad sector on the next write): the journal aborts
    triggerFsError(f.mountDir);
    repairAndRemount(f.disk!);
    const after = treeState(snap); // from the disk: a fresh mount has nothing cached
    expect(diffStates(before, after)).toEqual([]);
    expect(sha256sumCheck(snap)).toBe('');
    expect(latest(f)).toBe('daily/2026-11-01');
    const meta = JSON.parse(readFileSync(join(snap, 'backup.json'), 'utf8'));
    expect(meta.verification.readBack.files).toBeGreaterThan(100);
    expect(meta.verification.readBack.direct).toBe(true);
  });

  it('an ext4 error mid-run: exit 2 naming the disk, status CRITICAL, the earlier snapshot intact, the next run after e2fsck succeeds', async () => {
    f = await createFixture({ mariadb: false, config: { database: { enabled: false } }, tree: { domains: 1, usersPerDomain: 3, messagesPerFolder: 20 } });
    const first = await f.run(['backup', '--date', '2026-11-01']);
    expect(first.code, first.stderr).toBe(0);
    const earlier = join(f.destRoot, 'daily/2026-11-01');
    const before = treeState(earlier);
    deliver(f, 20, 64);
    const pause = pausingRsync(join(f.base, 'pause'));
    const run = finished(f.start(['backup', '--date', '2026-11-02'], { PATH: `${pause.binDir}:${f.env.PATH}` }));
    await waitFor(() => existsSync(pause.paused));
    triggerFsError(f.mountDir);
    writeFileSync(pause.go, '');
    const r = await run;
    expect(r.hung).toBe(false);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/read-only/);
    expect(r.stderr).toMatch(/e2fsck/);

    const ro = await f.run(['status']);
    expect(ro.code, ro.stdout).toBe(2);
    expect(ro.stdout).toMatch(/CRITICAL/);
    expect(ro.stdout).toMatch(/read-only/);

    repairAndRemount(f.disk!);
    const repaired = await f.run(['status']);
    expect(repaired.code, repaired.stdout).toBe(2); // the failed run, recorded on this host only
    expect(repaired.stdout).toMatch(/last backup .* failed with exit 2 because the backup disk failed/);
    expect(diffStates(before, treeState(earlier))).toEqual([]);
    expect(latest(f)).toBe('daily/2026-11-01');

    const next = await f.run(['backup', '--date', '2026-11-02']);
    expect(next.code, next.stderr).toBe(0);
    expect(latest(f)).toBe('daily/2026-11-02');
    expect(readdirSync(join(f.destRoot, 'daily')).sort()).toEqual(['2026-11-01', '2026-11-02']);
    expect(sha256sumCheck(join(f.destRoot, 'daily/2026-11-02'))).toBe('');
    expect((await f.run(['status'])).stdout).toMatch(/^MAILBACKUP OK/);
  });

  it('EIO from the device below ext4: exit 2, never ok, and the earlier snapshot intact', async () => {
    // 256 MiB of ext4 on a 48 MiB tmpfs: the first day fits, the second day's 40 MiB do not
    f = await createFixture({ mariadb: false, config: { database: { enabled: false } }, destSizeMiB: 256, destBackingMiB: 48, tree: { domains: 1, usersPerDomain: 2, messagesPerFolder: 10 } });
    const first = await f.run(['backup', '--date', '2026-11-01']);
    expect(first.code, first.stderr).toBe(0);
    const earlier = join(f.destRoot, 'daily/2026-11-01');
    const before = treeState(earlier);
    deliver(f, 40, 1024);
    const r = await finished(f.start(['backup', '--date', '2026-11-02']));
    expect(r.hung).toBe(false);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/backup disk|read-only|Input\/output error/);
    expect(latest(f)).toBe('daily/2026-11-01');
    // the next night, the disk still read-only: refused before the lock, naming the disk (not an internal error)
    const again = await f.run(['backup', '--date', '2026-11-03']);
    expect(again.code, again.stderr).toBe(2);
    expect(again.stderr).toMatch(/is read-only \(\/dev\/loop\d+, remounted read-only after a filesystem error\)/);

    growBacking(f.disk!, 512);
    repairAndRemount(f.disk!);
    expect(diffStates(before, treeState(earlier))).toEqual([]);
    expect(sha256sumCheck(earlier)).toBe('');
    expect(existsSync(join(f.destRoot, 'daily/2026-11-02'))).toBe(false);
  });

  it('the disk going away mid-run: exit 2 at once, nothing written under the bare mount point', async () => {
    f = await createFixture({ mariadb: false, config: { database: { enabled: false } }, tree: { domains: 1, usersPerDomain: 3, messagesPerFolder: 20 } });
    const first = await f.run(['backup', '--date', '2026-11-01']);
    expect(first.code, first.stderr).toBe(0);
    const before = treeState(join(f.destRoot, 'daily/2026-11-01'));
    deliver(f, 10, 16);
    const pause = pausingRsync(join(f.base, 'pause'));
    const run = finished(f.start(['backup', '--date', '2026-11-02'], { PATH: `${pause.binDir}:${f.env.PATH}` }));
    await waitFor(() => existsSync(pause.paused));
    execFileSync('umount', ['-l', f.mountDir]); // what a USB reset looks like to a script
    writeFileSync(pause.go, '');
    const r = await run;
    expect(r.hung).toBe(false);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/went away/);
    expect(isMounted(f.mountDir)).toBe(false);
    expect(readdirSync(f.mountDir)).toEqual([]); // the root filesystem under the mount point: untouched

    await waitFor(() => !execFileSync('losetup', ['-j', f!.disk!.image!], { encoding: 'utf8' }).trim(), { timeoutMs: 30_000, what: 'the loop device to be released' });
    mkdirSync(f.mountDir, { recursive: true });
    repairAndRemount(f.disk!);
    expect(diffStates(before, treeState(join(f.destRoot, 'daily/2026-11-01')))).toEqual([]);
    expect(latest(f)).toBe('daily/2026-11-01');
  });
});
