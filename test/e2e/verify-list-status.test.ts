/**
 * After real backups (fixture: generated mail server, MariaDB behind the docker shim, loop-mounted
 * ext4): verify reads only new data by default and each inode once with --all --full; list and
 * status show the result; damage in the newest snapshot turns status CRITICAL and stops rotation.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixture, type Fixture } from '../helpers/fixture.js';
import { simulateDay } from '../helpers/mailtree.js';

let f: Fixture;
const day = (back: number) => new Date(Date.now() - back * 86_400_000).toISOString().slice(0, 10);
const D1 = day(1);
const D2 = day(0);
const manifestPaths = (id: string) =>
  readFileSync(join(f.destRoot, id, 'manifest.sha256'), 'utf8').split('\n').filter(Boolean).map((l) => l.slice(66));

beforeAll(async () => {
  f = await createFixture({ tree: { domains: 1, usersPerDomain: 3, messagesPerFolder: 6 } });
  const first = await f.run(['backup', '--date', D1]);
  expect(first.code, first.stderr).toBe(0);
  simulateDay(f.sourceRoot, { newFraction: 0.1, seed: 11 });
  const second = await f.run(['backup', '--date', D2]);
  expect(second.code, second.stderr).toBe(0);
});
afterAll(async () => f?.cleanup());

describe('verify, list and status after real backups', () => {
  it('verify (default) reads only the new files of the newest snapshot', async () => {
    const r = await f.run(['--json', 'verify']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const c = JSON.parse(r.stdout).reports[0].checked;
    expect(c.hashed).toBeGreaterThan(0);
    expect(c.hashed).toBeLessThan(c.files / 2);
  });

  it('verify --all --full passes and hashes each shared inode once', async () => {
    const r = await f.run(['--json', 'verify', '--all', '--full']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.reports.map((x: { snapshot: string }) => x.snapshot)).toEqual([`daily/${D1}`, `daily/${D2}`]);
    const inodes = execFileSync('sh', ['-c', "find daily -mindepth 2 -type f ! -path 'daily/*/mysql/*' ! -name 'backup.*' ! -name 'manifest.*' ! -name 'messages.index*' -printf '%i\\n' | sort -u | wc -l"], { cwd: f.destRoot, encoding: 'utf8' });
    const hashed = out.reports.reduce((n: number, x: { checked: { hashed: number } }) => n + x.checked.hashed, 0);
    expect(hashed).toBe(Number(inodes.trim()));
  });

  it('list shows both snapshots with totals and the recorded full verification', async () => {
    const r = await f.run(['--json', 'list']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout).snapshots;
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row).toMatchObject({ status: 'ok', verification: { level: 'full', ok: true } });
      expect(row.files).toBeGreaterThan(0);
      expect(row.bytes).toBeGreaterThan(0);
    }
    expect(rows[1].addedBytes).toBeLessThan(rows[0].addedBytes);
  });

  it('status is OK, and the Prometheus file says so', async () => {
    const prom = join(f.base, 'mailbackup.prom');
    const r = await f.run(['--json', 'status', '--prometheus', prom]);
    const report = JSON.parse(r.stdout);
    expect(report.problems).toEqual([]);
    expect(r.code).toBe(0);
    expect(report).toMatchObject({ state: 'OK', newestOk: { id: `daily/${D2}` }, lastRun: { exitCode: 0 }, verification: { newest: { ok: true, level: 'full' } } });
    expect(readFileSync(prom, 'utf8')).toMatch(/^mailbackup_status 0$/m);
  });

  it('damage in the newest snapshot: verify names it, status turns CRITICAL, rotation deletes nothing', async () => {
    const old = new Set(manifestPaths(`daily/${D1}`));
    const fresh = manifestPaths(`daily/${D2}`).find((p) => p.startsWith('mail/') && !old.has(p))!;
    const file = join(f.destRoot, 'daily', D2, fresh);
    const bytes = readFileSync(file);
    bytes[bytes.length - 2] ^= 0x01;
    writeFileSync(file, bytes);

    const v = await f.run(['verify']);
    expect(v.code).toBe(2);
    expect(v.stdout).toContain(`${fresh}: changed (sha256 differs from manifest.sha256)`);

    const s = await f.run(['--json', 'status']);
    expect(s.code).toBe(2);
    expect(JSON.parse(s.stdout).problems).toEqual([expect.objectContaining({ key: 'verify.newest', state: 'CRITICAL' })]);

    f.writeConfig({ retention: { daily: 1 } });
    const rot = await f.run(['rotate']);
    expect(rot.code).toBe(1);
    expect(rot.stdout).toMatch(/deletion refused: the newest snapshot daily\/\S+ failed verification/);
    expect(existsSync(join(f.destRoot, 'daily', D1))).toBe(true);
  });

  it("the backup's own rotation deletes the older snapshots once a newer verified one exists", async () => {
    // retention.daily is 1 now; the damaged newest snapshot blocked deletion above
    const next = await f.run(['backup', '--date', day(-1)]);
    expect(next.code, next.stderr).toBe(0);
    const rows = JSON.parse((await f.run(['--json', 'list'])).stdout).snapshots;
    expect(rows.map((r: { id: string }) => r.id)).toEqual([`daily/${day(-1)}`]);
    expect(rows[0].verification).toMatchObject({ level: 'quick', ok: true });
  });
});
