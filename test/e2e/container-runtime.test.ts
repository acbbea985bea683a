/**
 * MariaDB and Dovecot in real containers (Debian-built images under podman, test/helpers/containers.ts),
 * reached through `podman exec` and through the Docker CLI on podman's Docker API: the backup,
 * the password kept out of every argv of the runtime and of the container, a container stopped
 * before the run, restarted just as the dump starts, missing; restore db (--as, in place with
 * grants), the drill, and doveadm in the Dovecot container after `restore mail --in-place`.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sh, type RealRuntime } from '../helpers/containers.js';
import { createFixture, type Fixture } from '../helpers/fixture.js';
import { tableRowCounts } from '../helpers/mariadb.js';
import { watchProcesses } from '../helpers/proc-watch.js';
import { dropFakeIndexes } from '../integration/restore-snapshot.js';

const APP_PASSWORD = 'um-app-Pw-31';
const meta = (f: Fixture, date: string) => JSON.parse(readFileSync(join(f.destRoot, 'daily', date, 'backup.json'), 'utf8'));
const latest = (f: Fixture) => execFileSync('readlink', [join(f.destRoot, 'latest')]).toString().trim();
const dumpText = (f: Fixture, date: string, db: string) => execFileSync('gzip', ['-dc', join(f.destRoot, 'daily', date, 'mysql', `${db}.sql.gz`)], { maxBuffer: 512 * 1024 * 1024 }).toString();

describe.each<RealRuntime>(['podman', 'docker'])('runtime: %s, MariaDB and Dovecot in real containers', (runtime) => {
  let f: Fixture;
  let db: string;
  const ct = () => f.containers!.mariadb!;

  beforeAll(async () => {
    f = await createFixture({ runtime, destination: 'tmpfs', destSizeMiB: 768, tree: { domains: 1, usersPerDomain: 2, messagesPerFolder: 4 }, config: { retry: { attempts: 3, backoffMs: 2000 } } });
    db = ct().name;
    dropFakeIndexes(f.tree.mailDir);
    await f.mariadb!.query(`CREATE USER 'um_app'@'localhost' IDENTIFIED BY '${APP_PASSWORD}'; GRANT SELECT, INSERT ON usermgmt.* TO 'um_app'@'localhost';`);
    // the snapshot the restore, drill and doveadm cases read, whatever the fault cases leave behind
    const b = await f.run(['backup', '--date', '2026-11-30']);
    expect(b.code, b.stdout + b.stderr).toBe(0);
    // then a table big enough that a dump runs for a while: long enough to watch it and restart under it
    await f.mariadb!.query("CREATE TABLE bulk (id INT PRIMARY KEY, pad VARCHAR(200)) ENGINE=InnoDB; INSERT INTO bulk SELECT seq, REPEAT('x', 180) FROM seq_1_to_400000;", 'usermgmt');
  });
  afterAll(async () => f?.cleanup());

  it('backs up through the runtime; the password is in no argv of the runtime or the container, while the dump runs', async () => {
    const watch = watchProcesses((a) => /mariadb|mysql|podman|docker|conmon|runc/.test(a));
    const r = await f.run(['backup', '--date', '2026-12-01']);
    await watch.stop();
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const seen = watch.seen();
    // both sides of the exec were seen during the dump: the CLI on the host, the client in the container
    expect(seen.some((a) => a.startsWith(`${runtime} exec -e MYSQL_PWD ${db} mariadb-dump`) || a.includes(`/${runtime} exec -e MYSQL_PWD ${db} mariadb-dump`))).toBe(true);
    expect(seen.some((a) => /^mariadb-dump -u root .* usermgmt$/.test(a))).toBe(true);
    for (const a of seen) expect(a).not.toContain(f.mariadb!.password);
    const m = meta(f, '2026-12-01');
    expect(m.databases.usermgmt).toMatchObject({ status: 'ok', tables: await tableRowCounts(f.mariadb!, 'usermgmt') });
    expect(m.grants.accounts).toContain("'um_app'@'localhost'");
  });

  it('a container restarted just as the dump starts: the run waits for MariaDB and keeps a whole dump', async () => {
    const expected = await tableRowCounts(f.mariadb!, 'usermgmt');
    const watch = watchProcesses((a) => a.startsWith('mariadb-dump'), {
      when: (a) => /^mariadb-dump -u root .* usermgmt$/.test(a),
      then: () => sh('podman', ['restart', '-t', '10', db]),
    });
    const r = await f.run(['backup', '--date', '2026-12-02']);
    await watch.stop();
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toMatch(/dump usermgmt: transient failure, retrying/);
    expect(r.stderr).toMatch(/dump usermgmt: the server answers again/);
    const m = meta(f, '2026-12-02');
    expect(m.status).toBe('ok');
    expect(m.databases.usermgmt).toMatchObject({ status: 'ok', tables: expected });
    expect(dumpText(f, '2026-12-02', 'usermgmt').trimEnd()).toMatch(/-- Dump completed/);
    expect(latest(f)).toBe('daily/2026-12-02');
  });

  it('a container stopped before the run: the databases fail naming the stopped container and how to look', async () => {
    const before = latest(f);
    expect((await sh('podman', ['stop', '-t', '10', db])).code).toBe(0);
    try {
      const r = await f.run(['backup', '--date', '2026-12-03']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${runtime} container ${db} is not running`);
      expect(r.stderr).toContain(`\`${runtime} ps -a\` and \`${runtime} logs ${db}\``);
      expect(r.stderr).not.toMatch(/no mariadb-dump or mysqldump/);
      const m = meta(f, '2026-12-03');
      expect(m.components.databases.status).toBe('failed');
      for (const c of ['mail', 'ssl', 'dkim', 'config']) expect(m.components[c].status, c).toBe('ok');
      expect(latest(f)).toBe(before);
    } finally {
      await sh('podman', ['start', db]);
      for (let i = 0; i < 200 && (await sh('podman', ['exec', db, 'mariadb-admin', 'ping'])).code !== 0; i++) await new Promise((res) => setTimeout(res, 150));
    }
  });

  it('a missing container is named as missing, with where to look', async () => {
    f.writeConfig({ database: { container: 'mbt-no-such-container' } });
    try {
      const r = await f.run(['backup', '--date', '2026-12-04', '--no-rotate']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${runtime} container mbt-no-such-container does not exist`);
      expect(r.stderr).toContain(`\`${runtime} ps -a\``);
      expect(r.stderr).toMatch(/databases: giving up after 3 attempts/); // retry.attempts
      expect(meta(f, '2026-12-04').components.databases.status).toBe('failed');
    } finally {
      f.writeConfig({ database: { container: db } });
    }
  });

  it('restore db loads into the container: --as a new name, and in place with the accounts and grants', async () => {
    const snap = meta(f, '2026-11-30').databases.usermgmt.tables;
    const as = await f.run(['restore', 'db', 'usermgmt', '--snapshot', 'daily/2026-11-30', '--as', 'usermgmt_check']);
    expect(as.code, as.stdout + as.stderr).toBe(0);
    expect(await tableRowCounts(f.mariadb!, 'usermgmt_check')).toEqual(snap);

    // a server that lost both the database and the account
    await f.mariadb!.query("DROP DATABASE usermgmt; DROP USER 'um_app'@'localhost';");
    const r = await f.run(['restore', 'db', 'usermgmt', '--snapshot', 'daily/2026-11-30', '--with-grants', '--yes']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await tableRowCounts(f.mariadb!, 'usermgmt')).toEqual(snap);
    const asApp = (pw: string) => sh('podman', ['exec', '-e', 'MYSQL_PWD', db, 'mariadb', '-u', 'um_app', '-N', '-B', '-e', 'SELECT COUNT(*) FROM usermgmt.users'], { env: { MYSQL_PWD: pw } });
    expect((await asApp(APP_PASSWORD)).stdout.trim()).toBe(String(snap.users));
    expect((await asApp('wrong')).stderr).toMatch(/Access denied/);
  });

  it('the drill loads every dump into scratch databases in the container and drops them', async () => {
    const work = mkdtempSync('/var/tmp/mailbackup-ct-drill-');
    chmodSync(work, 0o711); // doveadm (on this host, over the scratch copy) runs as the mailbox owner
    try {
      const r = await f.run(['drill', '--workdir', work, '--snapshot', 'daily/2026-11-30']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/PASSED/);
      const dir = join(f.destRoot, 'drills');
      const report = JSON.parse(readFileSync(join(dir, readdirSync(dir).filter((n) => n.endsWith('.json')).sort().at(-1)!), 'utf8'));
      const byName = Object.fromEntries(report.checks.map((c: { name: string }) => [c.name, c]));
      expect(byName['database usermgmt'].status).toBe('ok');
      expect(byName['database accounts and grants'].detail).toContain("'um_app'@'localhost'");
      expect((await f.mariadb!.query('SHOW DATABASES')).split('\n').filter((n) => n.endsWith('_drill'))).toEqual([]);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('restore mail --in-place runs doveadm force-resync in the Dovecot container, which sees the store at its mount', async () => {
    const user = f.tree.users[1];
    const inbox = () => ['cur', 'new'].flatMap((d) => readdirSync(join(user.mailbox, d)));
    const count = inbox().length;
    for (const n of readdirSync(join(user.mailbox, 'cur')).sort().slice(0, 2)) unlinkSync(join(user.mailbox, 'cur', n));
    for (const n of readdirSync(user.mailbox).filter((n) => n.startsWith('dovecot.index'))) unlinkSync(join(user.mailbox, n));
    const dovecot = f.containers!.dovecot;
    const r = await f.run(['restore', 'mail', '--user', user.address, '--folder', 'INBOX', '--in-place', '--yes', '--snapshot', 'daily/2026-11-30']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`dovecot: ${runtime} exec ${dovecot.name} doveadm force-resync -u ${user.address} '*'`);
    expect(inbox().length).toBe(count);
    // the resync wrote Dovecot's index into the host's maildir: the container worked on this store
    expect(existsSync(join(user.mailbox, 'dovecot.index.log'))).toBe(true);
    const status = await dovecot.doveadm(user.address, ['mailbox', 'status', 'messages', 'INBOX']);
    expect(status.stdout.trim(), status.stderr).toBe(`INBOX messages=${count}`);
  });
});
