/**
 * A throwaway MariaDB server for one test file: its own datadir and socket in a temp dir,
 * no networking, a root password (so clients must use MYSQL_PWD like production).
 * A start takes about 0.5-1.5 s on the 2-core CI machine (install-db ~0.5 s, server ready ~0.2 s).
 *
 * The socket is <socketDir>/mysqld.sock so the docker shim can bind-mount socketDir on
 * /run/mysqld, the path Debian's /etc/mysql/my.cnf points every client at.
 */
import { spawn, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, openSync, closeSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface MariaDb {
  /** directory holding mysqld.sock (bind-mount it on /run/mysqld) */
  socketDir: string;
  socket: string;
  /** root password */
  password: string;
  dataDir: string;
  /** runs SQL (via stdin) as root; returns tab-separated rows without a header line */
  query(sql: string, db?: string): Promise<string>;
  stop(): Promise<void>;
  /** leave the server running after this process exits (demo --keep) */
  detach(): void;
}

/** pid → temp dir of every server this process started and has not stopped */
const running = new Map<number, string>();
/** temp dirs of servers still starting */
const starting = new Set<string>();
// Last resort when a process exits without stop() (crash, Ctrl-C): no server or dir left behind.
process.once('exit', () => {
  for (const [pid, base] of running) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    rmSync(base, { recursive: true, force: true });
  }
  for (const base of starting) rmSync(base, { recursive: true, force: true });
});

function clientArgs(socket: string, db?: string): string[] {
  const args = ['--no-defaults', `--socket=${socket}`, '--user=root', '--batch', '--skip-column-names', '--default-character-set=utf8mb4'];
  if (db) args.push(`--database=${db}`);
  return args;
}

function runClient(socket: string, password: string | undefined, sql: string, db?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    if (password !== undefined) env.MYSQL_PWD = password;
    else delete env.MYSQL_PWD;
    const child = execFile('mariadb', clientArgs(socket, db), { env, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`mariadb client failed: ${stderr.trim() || err.message}\nSQL: ${sql.slice(0, 300)}`));
      else resolve(stdout);
    });
    child.stdin?.end(sql);
  });
}

async function waitUntilAnswering(socket: string, serverExited: () => string | undefined, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const exited = serverExited();
    if (exited) throw new Error(`mariadbd exited during start: ${exited}`);
    if (existsSync(socket)) {
      try {
        await runClient(socket, undefined, 'SELECT 1');
        return;
      } catch {
        /* not ready yet */
      }
    }
    if (Date.now() > deadline) throw new Error(`mariadbd did not answer on ${socket} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startMariaDb(): Promise<MariaDb> {
  const base = mkdtempSync(join(tmpdir(), 'mailbackup-mariadb-'));
  const dataDir = join(base, 'data');
  const socketDir = join(base, 'run');
  const socket = join(socketDir, 'mysqld.sock');
  const logFile = join(base, 'mariadbd.log');
  mkdirSync(socketDir, { mode: 0o755 });
  // Own tmpdir: servers of parallel test files must never share temp-table files in /tmp.
  const tmpDir = join(base, 'tmp');
  mkdirSync(tmpDir);

  // --user only as root (CI); as a normal user the server simply runs as that user.
  const asUser = process.getuid?.() === 0 ? ['--user=root'] : [];
  starting.add(base);
  // Asynchronous, so a Ctrl-C during the ~1 s of install-db still reaches the exit hook.
  const install = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    execFile(
      'mariadb-install-db',
      ['--no-defaults', `--datadir=${dataDir}`, '--auth-root-authentication-method=normal', '--skip-test-db', `--tmpdir=${tmpDir}`, ...asUser],
      (err, _stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr: stderr || (err?.message ?? '') }),
    );
  });
  if (install.code !== 0) {
    starting.delete(base);
    rmSync(base, { recursive: true, force: true });
    throw new Error(`mariadb-install-db failed (${install.code}): ${install.stderr}`);
  }

  const logFd = openSync(logFile, 'a');
  const server = spawn(
    'mariadbd',
    [
      '--no-defaults',
      `--datadir=${dataDir}`,
      `--socket=${socket}`,
      `--pid-file=${join(socketDir, 'mysqld.pid')}`,
      `--tmpdir=${tmpDir}`,
      '--skip-networking',
      ...asUser,
      '--innodb-buffer-pool-size=32M',
      '--innodb-log-file-size=16M',
    ],
    { detached: true, stdio: ['ignore', logFd, logFd] },
  );
  closeSync(logFd);
  const pid = server.pid!;
  starting.delete(base);
  running.set(pid, base);
  let exitInfo: string | undefined;
  const exited = new Promise<void>((r) =>
    server.once('exit', (code, signal) => {
      exitInfo = `code ${code} signal ${signal}; log: ${readFileSync(logFile, 'utf8').slice(-800)}`;
      running.delete(pid);
      r();
    }),
  );

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (exitInfo === undefined) {
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        /* gone */
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(base, { recursive: true, force: true });
  };

  const password = `pw-${randomBytes(12).toString('hex')}`;
  try {
    await waitUntilAnswering(socket, () => exitInfo);
    // root@localhost is the only account reachable over the socket (no networking).
    await runClient(
      socket,
      undefined,
      `ALTER USER 'root'@'localhost' IDENTIFIED BY '${password}'; FLUSH PRIVILEGES;`,
    );
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    socketDir,
    socket,
    password,
    dataDir,
    query: (sql, db) => runClient(socket, password, sql, db),
    stop,
    detach: () => {
      running.delete(pid);
      server.unref();
    },
  };
}

/** Exact row counts (COUNT(*), not information_schema estimates) of every base table of `name`. */
export async function tableRowCounts(db: MariaDb, name: string): Promise<Record<string, number>> {
  const tables = (
    await db.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema='${name}' AND table_type='BASE TABLE' ORDER BY table_name`,
    )
  )
    .split('\n')
    .filter(Boolean);
  if (tables.length === 0) return {};
  const sql = tables.map((t) => `SELECT '${t}', COUNT(*) FROM \`${name}\`.\`${t}\``).join(' UNION ALL ') + ';';
  const counts: Record<string, number> = {};
  for (const line of (await db.query(sql)).split('\n').filter(Boolean)) {
    const [table, count] = line.split('\t');
    counts[table] = Number(count);
  }
  return counts;
}

export { seedMailDatabases } from './mariadb-seed.js';
