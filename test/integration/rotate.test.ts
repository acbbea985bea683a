/**
 * rotate and list through the built CLI, on snapshots laid out on disk as backups make them.
 * Includes a real interrupted deletion: a filesystem mounted inside the victim makes `rm -rf
 * --one-file-system` fail half-way, exactly like a crash between rename and removal.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildSnapshot, makeDestination, pointLatest, removeDestination, runCli, sampleMail, writeConfig } from '../helpers/snapshot-builder.js';

const roots: string[] = [];
const mounts: string[] = [];
afterEach(() => {
  for (const m of mounts.splice(0)) execFileSync('umount', ['-l', m]);
  for (const r of roots.splice(0)) removeDestination(r);
});

/** Five ok dailies 03-01..03-05 sharing inodes, latest → 03-05; retention daily 2. */
function fiveDays(extra: { retention?: object } = {}) {
  const root = makeDestination('mb-rotate-');
  roots.push(root);
  let prev: string | undefined;
  for (let d = 1; d <= 5; d++) {
    prev = buildSnapshot(root, { date: `2026-03-0${d}`, cloneFrom: prev, files: sampleMail(`d${d}`), databases: { usermgmt: `INSERT INTO users VALUES (${d});` } });
  }
  pointLatest(root, 'daily', '2026-03-05');
  const config = writeConfig(root, { retention: { daily: 2, weekly: 1, ...extra.retention } });
  return { root, config };
}

const dailies = (root: string) => readdirSync(join(root, 'daily')).sort();

describe('rotate', () => {
  it('--dry-run prints the plan with reasons and deletes nothing', () => {
    const { root, config } = fiveDays();
    const r = runCli(['--config', config, 'rotate', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/delete\s+daily\/2026-03-01\s+beyond the 2 newest ok daily snapshots/);
    expect(r.stdout).toMatch(/keep\s+daily\/2026-03-05\s+daily 1 of 2/);
    expect(dailies(root)).toHaveLength(5);
  });

  it('deletes what the plan says and leaves no *.deleting behind', () => {
    const { root, config } = fiveDays();
    const r = runCli(['--config', config, '--json', 'rotate']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).deleted.sort()).toEqual(['daily/2026-03-01', 'daily/2026-03-02', 'daily/2026-03-03']);
    expect(dailies(root)).toEqual(['2026-03-04', '2026-03-05']);
    // the kept snapshots still verify with the standard tool after their older siblings went
    execFileSync('sha256sum', ['-c', '--quiet', 'manifest.sha256'], { cwd: join(root, 'daily', '2026-03-04') });
  });

  it('refuses to delete anything while the newest snapshot failed verification', () => {
    const { root, config } = fiveDays();
    buildSnapshot(root, { date: '2026-03-06', files: sampleMail('d6'), verification: { at: '2026-03-06T05:00:00Z', level: 'full', ok: false } });
    const r = runCli(['--config', config, 'rotate']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/deletion refused: the newest snapshot daily\/2026-03-06 failed verification/);
    expect(dailies(root)).toHaveLength(6);
  });

  it('refuses to delete anything after a failed backup', () => {
    const { root, config } = fiveDays();
    mkdirSync(join(root, '.state'));
    writeFileSync(
      join(root, '.state', 'last-backup.json'),
      JSON.stringify({ command: 'backup', runId: 'x', startedAt: '2026-03-06T03:00:00Z', finishedAt: '2026-03-06T03:05:00Z', exitCode: 2, errors: ['dump failed'], warnings: [] }),
    );
    const r = runCli(['--config', config, 'rotate']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/the last backup .* failed with exit 2/);
    expect(dailies(root)).toHaveLength(5);
  });

  it('an interrupted deletion hides the snapshot at once and is finished by the next run', () => {
    const { root, config } = fiveDays();
    const mnt = join(root, 'daily', '2026-03-01', 'mail', 'vmail', 'example.com', 'alice');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]);
    mounts.push(join(root, 'daily', '2026-03-01.deleting', 'mail', 'vmail', 'example.com', 'alice'));
    writeFileSync(join(mnt, 'on-another-fs'), 'x');

    const first = runCli(['--config', config, 'rotate']);
    expect(first.code).toBe(2);
    expect(first.stderr).toMatch(/cannot remove .*2026-03-01\.deleting: rm -rf failed/);
    expect(readFileSync(join(mounts[0], 'on-another-fs'), 'utf8')).toBe('x'); // never crossed into the mount
    expect(existsSync(join(root, 'daily', '2026-03-01.deleting'))).toBe(true);
    expect(existsSync(join(root, 'daily', '2026-03-01'))).toBe(false);

    const list = JSON.parse(runCli(['--config', config, '--json', 'list']).stdout);
    expect(list.snapshots.map((s: { id: string }) => s.id)).not.toContain('daily/2026-03-01');
    expect(list.leftovers.deleting).toEqual([join(root, 'daily', '2026-03-01.deleting')]);
    const verify = runCli(['--config', config, 'verify', '2026-03-01']);
    expect(verify.code).toBe(64);
    expect(verify.stderr).toMatch(/no snapshot 2026-03-01/);

    execFileSync('umount', [mounts.pop()!]);
    const second = runCli(['--config', config, 'rotate']);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/finished interrupted deletion .*2026-03-01\.deleting/);
    expect(dailies(root)).toEqual(['2026-03-04', '2026-03-05']);
  });
});

describe('deletion intents (.readers/deleting-<kind>-<date>.json)', () => {
  const intent = (root: string, rec: object) => {
    mkdirSync(join(root, '.readers'), { recursive: true });
    writeFileSync(join(root, '.readers', 'deleting-daily-2026-03-01.json'), JSON.stringify({ command: 'rotate', startedAt: new Date().toISOString(), snapshot: 'daily/2026-03-01', ...rec }));
  };

  it("a crashed rotation's intent blocks nothing: removed with a warning naming it, its victim deleted", () => {
    const { root, config } = fiveDays();
    const dead = spawnSync('true').pid;
    intent(root, { pid: dead, host: hostname() });
    const r = runCli(['--config', config, 'rotate']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`removed the deletion intent of a rotation that is gone.*pid ${dead} is gone`));
    expect(dailies(root)).toEqual(['2026-03-04', '2026-03-05']);
    expect(readdirSync(join(root, '.readers'))).toEqual([]);
  });

  it("another machine's intent: its victim is deferred and refused to readers (exit 75) until unlock removes it", () => {
    const { root, config } = fiveDays();
    intent(root, { pid: 77, host: 'mail02-old-server' });
    const verify = runCli(['--config', config, 'verify', '2026-03-01']);
    expect(verify.code).toBe(75);
    expect(verify.stderr).toMatch(/snapshot daily\/2026-03-01 is being deleted by pid 77 on mail02-old-server, `rotate` since .*`mailbackup unlock` removes it/);

    const first = runCli(['--config', config, 'rotate']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/deferred daily\/2026-03-01: in use by pid 77 on mail02-old-server, `rotate` since \S+, deleting it \(another machine: `mailbackup unlock` if it is gone\)/);
    expect(dailies(root)).toEqual(['2026-03-01', '2026-03-04', '2026-03-05']);

    const unlock = runCli(['--config', config, 'unlock', '--yes']);
    expect(unlock.code, unlock.stderr).toBe(0);
    expect(unlock.stderr).toMatch(/deletion intent: pid 77 on mail02-old-server, `rotate` since \S+ deleting daily\/2026-03-01: it was written on mail02-old-server/);
    expect(unlock.stdout).toMatch(/removed the lock of pid 77 on mail02-old-server/);
    expect(runCli(['--config', config, 'verify', '2026-03-01']).code).toBe(0);
    const second = runCli(['--config', config, 'rotate']);
    expect(second.code, second.stderr).toBe(0);
    expect(dailies(root)).toEqual(['2026-03-04', '2026-03-05']);
  });
});

describe('list', () => {
  it('shows kind, date, status, files, sizes and verification; --json has the same rows', () => {
    const { root, config } = fiveDays();
    buildSnapshot(root, { date: '2026-03-06', status: 'failed', files: sampleMail('d6') });
    const human = runCli(['--config', config, 'list']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/daily\s+2026-03-05 \*\s+ok\s+6\s+\S+ B\s+\S+ B\s+ok \(quick, 2026-03-05\)/);
    expect(human.stdout).toMatch(/daily\s+2026-03-06\s+FAILED .*unverified/);
    const rows = JSON.parse(runCli(['--config', config, '--json', 'list']).stdout).snapshots;
    expect(rows).toHaveLength(6);
    expect(rows[4]).toMatchObject({ id: 'daily/2026-03-05', status: 'ok', latest: true, files: 6, verification: { ok: true, level: 'quick' } });
    expect(rows[5]).toMatchObject({ id: 'daily/2026-03-06', status: 'failed', latest: false });
  });
});
