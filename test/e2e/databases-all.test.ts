/**
 * Issue 17 against a real MariaDB behind the docker shim: `databases: all` follows the server
 * (three application databases, then one added and one dropped), a run that dumps nothing warns
 * and so does `status`, and the accounts in mysql/grants.sql.gz come back with
 * `restore db --with-grants` in a fresh server, able to log in with their original password.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixture, type Fixture } from '../helpers/fixture.js';
import { startMariaDb, tableRowCounts, type MariaDb } from '../helpers/mariadb.js';

const APP_PASSWORD = 'Orig-pass-17';
let fx: Fixture;
let fresh: MariaDb | undefined;

beforeAll(async () => {
  fx = await createFixture({ destination: 'tmpfs', tree: { domains: 1, usersPerDomain: 2, messagesPerFolder: 2 }, config: { database: { databases: 'all' } } });
  await fx.mariadb!.query('CREATE DATABASE wiki; CREATE TABLE wiki.pages (id INT PRIMARY KEY, title TEXT); INSERT INTO wiki.pages VALUES (1, "home"), (2, "help");');
  await fx.mariadb!.query(
    `CREATE USER 'um_app'@'localhost' IDENTIFIED BY '${APP_PASSWORD}'; GRANT SELECT, INSERT ON usermgmt.* TO 'um_app'@'localhost';` +
      ` CREATE USER 'rc_app'@'%' IDENTIFIED BY 'rc-pass'; GRANT ALL ON roundcubemail.* TO 'rc_app'@'%';`,
  );
});
afterAll(async () => {
  await fresh?.stop();
  await fx?.cleanup();
});

const meta = (date: string) => JSON.parse(readFileSync(join(fx.destRoot, 'daily', date, 'backup.json'), 'utf8'));
const gunzip = (file: string) => execFileSync('gzip', ['-dc', file]).toString();
const noSecretInArgv = () => {
  const argv = fx.shim.argvLog().flat().join(' ');
  expect(argv).not.toContain(fx.mariadb!.password);
  expect(argv).not.toContain(APP_PASSWORD);
  if (fresh) expect(argv).not.toContain(fresh.password);
  expect(argv).not.toMatch(/\*[0-9A-F]{40}/); // no password hash either
};

describe('databases: all', () => {
  it('dumps every application database the server lists, with their accounts', async () => {
    const r = await fx.run(['backup', '--date', '2026-12-01']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const m = meta('2026-12-01');
    expect(m.databaseList).toMatchObject({ mode: 'all', names: ['roundcubemail', 'usermgmt', 'wiki'] });
    expect(Object.keys(m.databases).sort()).toEqual(['roundcubemail', 'usermgmt', 'wiki']);
    expect(m.databases.wiki.tables).toEqual({ pages: 2 });
    expect(r.stdout).toMatch(/databases \(all, as listed by the server\): roundcubemail, usermgmt, wiki/);
    const grants = join(fx.destRoot, 'daily', '2026-12-01', 'mysql', 'grants.sql.gz');
    expect(statSync(grants).mode & 0o777).toBe(0o600);
    expect(m.grants).toMatchObject({ status: 'ok', accounts: ["'rc_app'@'%'", "'um_app'@'localhost'"] });
    const sql = gunzip(grants);
    expect(sql).toMatch(/^CREATE USER IF NOT EXISTS `um_app`@`localhost` IDENTIFIED BY PASSWORD '\*[0-9A-F]{40}';$/m);
    expect(sql).toMatch(/^GRANT SELECT, INSERT ON `usermgmt`\.\* TO `um_app`@`localhost`;$/m);
    expect(sql).not.toContain(APP_PASSWORD);
    expect(sql).not.toMatch(/`root`@/);
    expect(m.grants.source).toBe('mariadb-dump --system=users');
    noSecretInArgv();

    // an older image without mariadb-dump: SHOW CREATE USER / SHOW GRANTS give the same statements
    fx.shim.setContainer('mailserver-mariadb', { status: 'running', missingCommands: ['mariadb-dump'] });
    try {
      const old = await fx.run(['backup', '--date', '2026-12-01']);
      expect(old.code, old.stdout + old.stderr).toBe(0);
    } finally {
      fx.shim.setContainer('mailserver-mariadb', 'running');
    }
    expect(meta('2026-12-01').grants).toMatchObject({ status: 'ok', source: 'SHOW CREATE USER / SHOW GRANTS' });
    const statements = (text: string) => text.split('\n').filter((l) => !l.startsWith('--'));
    expect(statements(gunzip(grants))).toEqual(statements(sql));
    noSecretInArgv();
  });

  it('names a database that appeared, and warns (exit 1) about one that disappeared', async () => {
    await fx.mariadb!.query('CREATE DATABASE newapp; CREATE TABLE newapp.items (id INT); INSERT INTO newapp.items VALUES (1),(2),(3); DROP DATABASE wiki;');
    const r = await fx.run(['backup', '--date', '2026-12-02']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/database newapp appeared since daily\/2026-12-01/);
    expect(r.stdout).toMatch(/warning: databases: database wiki disappeared since daily\/2026-12-01: the server no longer lists it/);
    const m = meta('2026-12-02');
    expect(m.status).toBe('ok');
    expect(m.databaseList).toMatchObject({ names: ['newapp', 'roundcubemail', 'usermgmt'], appeared: ['newapp'], disappeared: ['wiki'] });
    expect(m.databases.newapp.tables).toEqual({ items: 3 });
    expect(existsSync(join(fx.destRoot, 'daily', '2026-12-02', 'mysql', 'wiki.sql.gz'))).toBe(false);
    // the next run compares with this snapshot: nothing changed, no warning
    const again = await fx.run(['backup', '--date', '2026-12-03']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).not.toMatch(/appeared|disappeared/);
  });

  it('an empty list warns on every run and in status; database.enabled: false silences both', async () => {
    fx.writeConfig({ database: { databases: [] } });
    for (const date of ['2026-12-04', '2026-12-05']) {
      const r = await fx.run(['backup', '--date', date, '--no-rotate']);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stdout).toMatch(/warning: databases: no database was dumped: database\.databases is empty; the requirements class the databases as P0/);
      expect(meta(date).components.databases.status).toBe('skipped');
    }
    const s = await fx.run(['status']);
    expect(s.stdout).toMatch(/WARNING.*holds no database dump.*P0/);
    expect(s.code).toBeGreaterThanOrEqual(1);

    fx.writeConfig({ database: { enabled: false } });
    const off = await fx.run(['backup', '--date', '2026-12-06', '--no-rotate']);
    expect(off.code, off.stdout + off.stderr).toBe(0);
    expect((await fx.run(['status'])).stdout).not.toMatch(/holds no database dump/);
    fx.writeConfig({ database: { enabled: true, databases: 'all' } });
  });
});

describe('restore db --with-grants into a fresh server', () => {
  it('brings the account back: it logs in with its original password and reads its tables', async () => {
    const expected = await tableRowCounts(fx.mariadb!, 'usermgmt');
    fresh = await startMariaDb();
    fx.shim.setMariadbSocketDir(fresh.socketDir);
    writeFileSync(fx.credentialsFile, `[client]\npassword=${fresh.password}\n`, { mode: 0o600 });

    const dry = await fx.run(['restore', 'db', 'usermgmt', '--snapshot', 'daily/2026-12-03', '--with-grants', '--dry-run']);
    expect(dry.code, dry.stdout + dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/accounts with a grant on usermgmt: 'um_app'@'localhost'/);
    const asOther = await fx.run(['restore', 'db', 'usermgmt', '--as', 'um_copy', '--with-grants', '--snapshot', 'daily/2026-12-03']);
    expect(asOther.code).toBe(64);

    const r = await fx.run(['restore', 'db', 'usermgmt', '--snapshot', 'daily/2026-12-03', '--with-grants']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/accounts created or updated, with their grants: 'um_app'@'localhost'/);
    expect(await tableRowCounts(fresh, 'usermgmt')).toEqual(expected);

    const asApp = (sql: string, password = APP_PASSWORD) =>
      promisify(execFile)('mariadb', ['--no-defaults', `--socket=${fresh!.socket}`, '-u', 'um_app', '-N', '-B', '-e', sql], { env: { ...process.env, MYSQL_PWD: password } });
    expect((await asApp('SELECT COUNT(*) FROM usermgmt.users')).stdout.trim()).toBe(String(expected.users));
    await expect(asApp('SELECT 1', 'wrong-password')).rejects.toThrow(/Access denied/);
    await expect(asApp('DROP TABLE usermgmt.aliases')).rejects.toThrow(/denied/);
    // only the accounts of the restored database: Roundcube's comes with roundcubemail
    expect(await fresh.query("SELECT CONCAT(User, '@', Host) FROM mysql.user WHERE User LIKE '%_app'")).toBe('um_app@localhost\n');
    noSecretInArgv();
  });
});
