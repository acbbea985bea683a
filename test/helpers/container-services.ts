/**
 * MariaDB and Dovecot in real containers (images from containers.ts), shaped like the host
 * helpers (mariadb.ts, dovecot.ts) so seedMailDatabases and the assertions work on either.
 * Each container gets a name of its own (parallel test files), no network (the socket is
 * enough), and is removed by stop() or, as a last resort, when the process exits.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { images, runtimeEnv, sh, type RealRuntime } from './containers.js';
import type { MariaDb } from './mariadb.js';
import { waitFor } from './wait.js';

const live = new Set<string>();
process.once('exit', () => {
  for (const name of live) {
    try {
      execFileSync('podman', ['rm', '-f', '-t', '0', name], { env: { ...process.env, ...runtimeEnv }, stdio: 'ignore' });
    } catch {
      /* already gone */
    }
  }
});

/** A name no other test (or test file) uses: mbt-<pid>-<random>-<role>. */
export const containerName = (role: string): string => `mbt-${process.pid}-${randomBytes(3).toString('hex')}-${role}`;

async function removeContainer(name: string): Promise<void> {
  await sh('podman', ['rm', '-f', '-t', '0', name]);
  live.delete(name);
}

export interface MariaDbContainer extends MariaDb {
  name: string;
  /** `podman restart`, returning once the server answers again */
  restart(): Promise<void>;
}

// PID 1 makes the socket dir (the image has none) and runs the server, at every (re)start.
const MARIADB_CMD = 'mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld && exec mariadbd --user=mysql --skip-networking --innodb-buffer-pool-size=32M --innodb-log-file-size=16M';

/** MariaDB in a container, root with a password (so clients need MYSQL_PWD, as in production). */
export async function startMariaDbContainer(name = containerName('mariadb')): Promise<MariaDbContainer> {
  const { mariadb: image } = await images();
  live.add(name);
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const asRoot = (sql: string, db?: string, pw?: string) =>
    sh('podman', ['exec', '-i', ...(pw ? ['-e', 'MYSQL_PWD'] : []), name, 'mariadb', '-u', 'root', '-N', '-B', '--default-character-set=utf8mb4', ...(db ? [db] : [])], { input: sql, env: pw ? { MYSQL_PWD: pw } : {} });
  const answers = async () => (await sh('podman', ['exec', name, 'mariadb-admin', 'ping'])).code === 0;
  const stop = () => removeContainer(name);
  try {
    const r = await sh('podman', ['run', '-d', '--name', name, '--network', 'none', image, 'sh', '-c', MARIADB_CMD]);
    if (r.code !== 0) throw new Error(`podman run ${image} failed: ${r.stderr}`);
    await waitFor(answers, { what: `MariaDB in ${name}`, everyMs: 150 });
    // password only: unix_socket would let a client without MYSQL_PWD in
    const set = await asRoot(`ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD('${password}'); FLUSH PRIVILEGES;`);
    if (set.code !== 0) throw new Error(`setting the root password in ${name} failed: ${set.stderr}`);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    name,
    socketDir: '',
    socket: '',
    password,
    dataDir: '',
    async query(sql, db) {
      const r = await asRoot(sql, db, password);
      if (r.code !== 0) throw new Error(`mariadb in ${name} failed: ${r.stderr.trim()}\nSQL: ${sql.slice(0, 300)}`);
      return r.stdout;
    },
    stop,
    detach: () => live.delete(name),
    async restart() {
      const r = await sh('podman', ['restart', '-t', '10', name]);
      if (r.code !== 0) throw new Error(`podman restart ${name} failed: ${r.stderr}`);
      await waitFor(answers, { what: `MariaDB in ${name} after a restart`, everyMs: 150 });
    },
  };
}

export interface DovecotContainer {
  name: string;
  /** where the container sees the host's data/mail (the compose file's mount) */
  mailMount: string;
  doveadm(user: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

/**
 * Dovecot (master + auth, no listeners) over `hostMailDir` mounted on /var/mail as the compose
 * file does: the container finds a user's maildir at /var/mail/vmail/<domain>/<address>, never
 * at the host path. Its own small config: the generated one wants certificates and sieve.
 */
export async function startDovecotContainer(hostMailDir: string, name = containerName('dovecot')): Promise<DovecotContainer> {
  const { dovecot: image } = await images();
  const confDir = mkdtempSync(join(tmpdir(), 'mb-dovecot-ct-'));
  writeFileSync(
    join(confDir, 'dovecot.conf'),
    [
      'protocols =', 'ssl = no', 'log_path = /dev/stderr',
      'mail_location = maildir:~', 'mail_uid = 5000', 'mail_gid = 5000', 'first_valid_uid = 1000',
      'namespace inbox {\n  inbox = yes\n  separator = /\n}',
      'passdb {\n  driver = static\n  args = nopassword=y\n}',
      'userdb {\n  driver = static\n  args = uid=5000 gid=5000 home=/var/mail/vmail/%d/%u\n}', '',
    ].join('\n'),
  );
  live.add(name);
  // -u goes after the command's words: `mailbox status -u U …`, `force-resync -u U …`
  const doveadm = (user: string, args: string[]) => {
    const words = ['mailbox', 'quota', 'acl', 'index'].includes(args[0]) ? 2 : 1;
    return sh('podman', ['exec', name, 'doveadm', ...args.slice(0, words), '-u', user, ...args.slice(words)]);
  };
  const stop = async () => {
    await removeContainer(name);
    rmSync(confDir, { recursive: true, force: true });
  };
  try {
    const r = await sh('podman', ['run', '-d', '--name', name, '--network', 'none', '-v', `${hostMailDir}:/var/mail`, '-v', `${confDir}:/etc/dovecot:ro`, image, 'dovecot', '-F']);
    if (r.code !== 0) throw new Error(`podman run ${image} failed: ${r.stderr}`);
    await waitFor(async () => (await sh('podman', ['exec', name, 'doveadm', 'user', 'probe@example.com'])).code === 0, { what: `Dovecot in ${name}`, everyMs: 150 });
  } catch (err) {
    await stop();
    throw err;
  }
  return { name, mailMount: '/var/mail', doveadm, stop };
}

export type { RealRuntime };
