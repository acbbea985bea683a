/**
 * restore db against a real MariaDB behind the docker shim, from a snapshot made by a real
 * `mailbackup backup`: --as gives the same tables and row counts, in-place needs --yes and
 * leaves a safety dump that itself restores, and the password never shows in any argv.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixture, type Fixture } from '../helpers/fixture.js';
import { tableRowCounts } from '../helpers/mariadb.js';

let fx: Fixture;
let snapshotCounts: Record<string, number>;

beforeAll(async () => {
  fx = await createFixture({ destination: 'tmpfs', tree: { domains: 1, usersPerDomain: 2, messagesPerFolder: 3 } });
  snapshotCounts = await tableRowCounts(fx.mariadb!, 'usermgmt');
  const b = await fx.run(['backup', '--date', '2026-11-27']);
  expect(b.code, b.stderr).toBe(0);
});
afterAll(async () => {
  await fx?.cleanup();
});

const databases = async () => (await fx.mariadb!.query('SHOW DATABASES')).split('\n').filter(Boolean);

describe('restore db', () => {
  it('--dry-run shows the plan and creates nothing', async () => {
    const r = await fx.run(['restore', 'db', 'usermgmt', '--as', 'usermgmt_dry', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/does not exist: it is created/);
    expect(await databases()).not.toContain('usermgmt_dry');
  });

  it('--as NEWNAME loads the dump into a new database with the same tables and row counts', async () => {
    const r = await fx.run(['restore', 'db', 'usermgmt', '--as', 'usermgmt_check']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/match backup\.json/);
    expect(await tableRowCounts(fx.mariadb!, 'usermgmt_check')).toEqual(snapshotCounts);
    expect(Object.values(snapshotCounts).some((n) => n > 0)).toBe(true);
    const argv = fx.shim.argvLog().flat().join(' ');
    expect(argv).toContain('usermgmt_check');
    expect(argv).not.toContain(fx.mariadb!.password);
    expect(existsSync(join(fx.destRoot, 'safety'))).toBe(false);
  });

  it('over the live database: refused without --yes, then replaced after a safety dump that itself restores', async () => {
    await fx.mariadb!.query("DELETE FROM aliases; DELETE FROM audit_log WHERE id % 2 = 0", 'usermgmt');
    const changed = await tableRowCounts(fx.mariadb!, 'usermgmt');
    expect(changed).not.toEqual(snapshotCounts);

    const refused = await fx.run(['restore', 'db', 'usermgmt']);
    expect(refused.code).toBe(64);
    expect(refused.stderr).toMatch(/--yes/);
    expect(await tableRowCounts(fx.mariadb!, 'usermgmt')).toEqual(changed);

    const r = await fx.run(['restore', 'db', 'usermgmt', '--yes']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await tableRowCounts(fx.mariadb!, 'usermgmt')).toEqual(snapshotCounts);

    const stamps = readdirSync(join(fx.destRoot, 'safety'));
    expect(stamps).toHaveLength(1);
    const safetyDump = join(fx.destRoot, 'safety', stamps[0], 'mysql', 'usermgmt.sql.gz');
    const sql = execFileSync('gzip', ['-dc', safetyDump], { maxBuffer: 256 * 1024 * 1024 });
    expect(sql.toString().trimEnd()).toMatch(/-- Dump completed/);
    await fx.mariadb!.query('CREATE DATABASE usermgmt_safety');
    await fx.mariadb!.query(sql.toString(), 'usermgmt_safety');
    expect(await tableRowCounts(fx.mariadb!, 'usermgmt_safety')).toEqual(changed);
    expect(JSON.parse(readFileSync(join(fx.destRoot, 'safety', stamps[0], 'safety.json'), 'utf8')).saved[0].copy).toBe(safetyDump);
    expect(fx.shim.argvLog().flat().join(' ')).not.toContain(fx.mariadb!.password);
  });

  it('refuses a database that is not in the snapshot, offering the closest, and an unsafe name', async () => {
    const before = await databases();
    const unknown = await fx.run(['restore', 'db', 'usermgmnt', '--as', 'x_check']);
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toMatch(/no dump of database usermgmnt.*closest: usermgmt/);
    const unsafe = await fx.run(['restore', 'db', 'usermgmt', '--as', 'x;DROP DATABASE usermgmt']);
    expect(unsafe.code).toBe(64);
    const missing = await fx.run(['restore', 'db', 'usermgmt', '--snapshot', '2026-01-01']);
    expect(missing.code).toBe(64);
    expect(await databases()).toEqual(before);
  });
});
