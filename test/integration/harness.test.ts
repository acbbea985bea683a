// Proves the test harness itself: if the shim, the throwaway MariaDB, the generator or the loop
// mount lied, every e2e test built on them would prove nothing.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMountPoint } from '../../src/repository/marker.js';
import { installDockerShim, type DockerShim } from '../helpers/docker-shim.js';
import { createFixture } from '../helpers/fixture.js';
import { generateMailTree, simulateDay } from '../helpers/mailtree.js';
import { seedMailDatabases, startMariaDb, tableRowCounts, type MariaDb } from '../helpers/mariadb.js';
import { mountLoopExt4 } from '../helpers/mount.js';

const tmp = mkdtempSync(join(tmpdir(), 'mailbackup-harness-'));
let db: MariaDb;
let shim: DockerShim;

beforeAll(async () => {
  db = await startMariaDb();
  await seedMailDatabases(db);
  shim = installDockerShim({
    dir: join(tmp, 'shim'),
    mariadbSocketDir: db.socketDir,
    containers: {
      'mailserver-mariadb': 'running',
      'mailserver-dovecot': 'running',
      'mailserver-old': 'stopped',
      'mailserver-flaky': { status: 'flaky', failures: 2 },
    },
  });
});

afterAll(async () => {
  await db?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

function docker(args: string[], opts: { input?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync('docker', args, { env: { ...process.env, ...shim.env, ...opts.env }, input: opts.input, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('docker shim', () => {
  it('passes the exit code, and stdin only with -i', () => {
    expect(docker(['exec', 'mailserver-dovecot', 'sh', '-c', 'exit 7']).code).toBe(7);
    expect(docker(['exec', '-i', 'mailserver-dovecot', 'cat'], { input: 'hello mail\n' }).stdout).toBe('hello mail\n');
    expect(docker(['exec', 'mailserver-dovecot', 'cat'], { input: 'hello mail\n' }).stdout).toBe('');
  });

  it('takes -e NAME from its own environment, and the container does not inherit the rest', () => {
    const r = docker(['exec', '-e', 'FROM_CALLER', '-e', 'LITERAL=x y', 'mailserver-dovecot', 'sh', '-c', 'echo "$FROM_CALLER|$LITERAL|${NOT_PASSED-unset}"'], {
      env: { FROM_CALLER: 'v1', NOT_PASSED: 'leak' },
    });
    expect(r.stdout).toBe('v1|x y|unset\n');
  });

  it('logs every argv exactly', () => {
    docker(['exec', '-e', 'A=1', 'mailserver-dovecot', 'true', 'two words']);
    expect(shim.argvLog()).toContainEqual(['docker', 'exec', '-e', 'A=1', 'mailserver-dovecot', 'true', 'two words']);
  });

  it('answers like docker for unknown, stopped and flaky containers', () => {
    const unknown = docker(['exec', 'nope', 'true']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('Error response from daemon: No such container: nope\n');
    expect(docker(['exec', 'mailserver-old', 'true']).stderr).toMatch(/container \w+ is not running/);
    for (let i = 0; i < 2; i++) {
      const r = docker(['exec', 'mailserver-flaky', 'true']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/is restarting, wait until the container is running/);
    }
    expect(docker(['exec', 'mailserver-flaky', 'true']).code).toBe(0);
  });

  it('answers inspect and ps for declared containers', () => {
    expect(docker(['inspect', '-f', '{{.State.Running}}', 'mailserver-mariadb']).stdout).toBe('true\n');
    expect(docker(['inspect', '-f', '{{.State.Running}}', 'mailserver-old']).stdout).toBe('false\n');
    expect(docker(['inspect', 'nope']).code).toBe(1);
    const names = docker(['ps', '--format', '{{.Names}}']).stdout.trim().split('\n').sort();
    expect(names).toEqual(['mailserver-dovecot', 'mailserver-flaky', 'mailserver-mariadb']);
    shim.setContainer('mailserver-dovecot', 'stopped');
    expect(docker(['ps', '--format', '{{.Names}}']).stdout).not.toContain('mailserver-dovecot');
    shim.setContainer('mailserver-dovecot', 'running');
  });
});

describe('throwaway MariaDB behind the shim', () => {
  it('is needed at /run/mysqld: Debian\'s client config names that socket', () => {
    expect(execFileSync('mariadb', ['--print-defaults'], { encoding: 'utf8' })).toContain('--socket=/run/mysqld/mysqld.sock');
  });

  it('mariadb-dump in the "container" reaches the server at /run/mysqld with the password only in the env', () => {
    const args = ['exec', '-e', 'MYSQL_PWD', 'mailserver-mariadb', 'mariadb-dump', '-uroot', '--single-transaction', '--routines', '--triggers', 'usermgmt'];
    const r = docker(args, { env: { MYSQL_PWD: db.password } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('CREATE TABLE `users`');
    expect(r.stdout).toContain('users_audit');
    expect(r.stdout).toContain('佐藤 花子');
    expect(r.stdout.trimEnd()).toMatch(/-- Dump completed on .*$/);
    expect(JSON.stringify(shim.argvLog())).not.toContain(db.password);
    const denied = docker(args.filter((a) => a !== '-e' && a !== 'MYSQL_PWD'));
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/Access denied/);
  });

  it('counts rows exactly', async () => {
    expect(await tableRowCounts(db, 'usermgmt')).toEqual({ aliases: 80, audit_log: 440, domains: 4, users: 240 });
    const rc = await tableRowCounts(db, 'roundcubemail');
    expect(Object.keys(rc).sort()).toEqual(['cache', 'contacts', 'identities', 'session', 'users']);
    expect(rc.contacts).toBe(240);
  });
});

function fingerprint(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const st = lstatSync(p);
      const what = st.isSymbolicLink() ? `-> ${readlinkSync(p)}` : st.isFile() ? createHash('sha256').update(readFileSync(p)).digest('hex') : 'dir';
      out.push(`${relative(root, p)} ${st.mode.toString(8)} ${st.uid}:${st.gid} ${st.isFile() ? st.mtimeMs : ''} ${what}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(root);
  return out;
}

describe('mail tree generator', () => {
  it('is deterministic and realistic', () => {
    const a = generateMailTree(join(tmp, 'a'), { seed: 42 });
    generateMailTree(join(tmp, 'b'), { seed: 42 });
    const c = generateMailTree(join(tmp, 'c'), { seed: 43, skipKeys: true });
    expect(fingerprint(join(tmp, 'a', 'data/mail'))).toEqual(fingerprint(join(tmp, 'b', 'data/mail')));
    expect(fingerprint(join(tmp, 'a', 'data/mail'))).not.toEqual(fingerprint(join(tmp, 'c', 'data/mail')));
    expect(a.users).toHaveLength(6);
    expect(c.totalMessages).toBeGreaterThan(300);
    expect(existsSync(join(a.users[0].mailbox, '.&ZeVnLIqe-', 'maildirfolder'))).toBe(true);
    expect(statSync(join(tmp, 'a', '.env')).mode & 0o777).toBe(0o600);
  });

  it('makes live/*.pem relative symlinks into archive/ holding a real, current certificate', () => {
    const live = join(tmp, 'a', 'data/certbot/live/example.com');
    expect(readlinkSync(join(live, 'cert.pem'))).toBe('../../archive/example.com/cert1.pem');
    expect(realpathSync(join(live, 'privkey.pem'))).toBe(join(tmp, 'a', 'data/certbot/archive/example.com/privkey1.pem'));
    execFileSync('openssl', ['x509', '-in', join(live, 'fullchain.pem'), '-noout', '-checkend', String(30 * 86400)]);
    const txt = readFileSync(join(tmp, 'a', 'config/opendkim/keys/example.com/default.txt'), 'utf8');
    expect(txt).toMatch(/p=MIIB/);
  });

  it('simulates a day of renames, deliveries and expunges', () => {
    const day = simulateDay(join(tmp, 'c'), { seed: 5, newFraction: 0.05, readFraction: 0.2, moveFraction: 0.02, expungeFraction: 0.02 });
    const mail = join(tmp, 'c', 'data/mail');
    expect(day.counts.delivered).toBeGreaterThan(0);
    expect(day.counts.flagged).toBeGreaterThan(0);
    for (const r of day.renamed) {
      expect(existsSync(join(mail, r.to))).toBe(true);
      expect(existsSync(join(mail, r.from))).toBe(false);
      expect(r.to.split(':2,')[0].split('/').pop()).toBe(r.from.split(':2,')[0].split('/').pop());
    }
    for (const d of day.deleted) expect(existsSync(join(mail, d))).toBe(false);
    for (const n of day.created) expect(statSync(join(mail, n)).isFile()).toBe(true);
  });
});

describe('loop mount', () => {
  it('is a real ext4 mount point, gone after cleanup', async () => {
    const m = await mountLoopExt4(64);
    try {
      expect(isMountPoint(m.dir)).toBe(true);
      expect(execFileSync('findmnt', ['-n', '-o', 'FSTYPE', m.dir], { encoding: 'utf8' }).trim()).toBe('ext4');
    } finally {
      await m.cleanup();
    }
    expect(isMountPoint(m.dir)).toBe(false);
  });
});

describe('e2e fixture', () => {
  it('builds a mounted, marked destination, a private credentials file and a config the CLI accepts', async () => {
    const fx = await createFixture({ destSizeMiB: 128 });
    try {
      expect(isMountPoint(fx.mountDir)).toBe(true);
      expect(statSync(fx.destRoot).mode & 0o777).toBe(0o700);
      expect(existsSync(join(fx.destRoot, '.mailbackup'))).toBe(true);
      expect(statSync(fx.credentialsFile).mode & 0o777).toBe(0o600);
      expect(readFileSync(fx.credentialsFile, 'utf8')).toContain(`password=${fx.mariadb!.password}`);
      const list = await fx.run(['list']);
      expect(list.stderr).not.toMatch(/config/i);
      expect(list.code).toBe(0);
      fx.writeConfig({ retention: { daily: 0 } });
      expect((await fx.run(['list'])).code).toBe(78);
    } finally {
      await fx.cleanup();
    }
    expect(existsSync(fx.base)).toBe(false);
    expect(isMountPoint(fx.mountDir)).toBe(false);
  });
});
