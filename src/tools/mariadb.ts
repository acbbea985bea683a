/**
 * MariaDB client programs (mariadb-dump/mysqldump, mariadb/mysql) run in the database container.
 * The password comes from the credentials file and reaches the client as MYSQL_PWD in its
 * environment: never in argv, never in logs (invariant 7 of docs/invariants.md).
 */
import { readFileSync, statSync } from 'node:fs';
import { ConfigError, MailbackupError, ToolError, TransientError } from '../errors.js';
import { containerDown, describeTarget, execArgs, execIn, isTransientFailure, type ContainerTarget } from './container.js';
import { spawnStream, streamExit } from './shell.js';

export interface DbAccess {
  target: ContainerTarget;
  user: string;
  password: string;
}

/** Reads `password=` from the [client] (or [mysqldump]/[mysql]) section of a my.cnf-style file. */
export function readCredentials(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read database credentials file ${file}: ${(err as Error).message}`);
  }
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const s = /^\[(.+)\]$/.exec(line);
    if (s) section = s[1].trim();
    const m = /^password\s*=\s*(.*)$/.exec(line);
    if (m && ['client', 'mysqldump', 'mysql', 'mariadb-dump', 'mariadb', 'client-mariadb'].includes(section)) {
      return m[1].trim().replace(/^(['"])(.*)\1$/, '$2');
    }
  }
  throw new ConfigError(`credentials file ${file} has no password= line in a [client] section`);
}

/** Group/other may read the credentials file: a warning for init and backup (SR-04). */
export function credentialsTooOpen(file: string): boolean {
  return (statSync(file).mode & 0o077) !== 0;
}

/** the password as the clients read it: in their environment, never in argv */
export const secrets = (a: DbAccess) => ({ MYSQL_PWD: a.password });

async function firstWorking(a: DbAccess, candidates: string[]): Promise<string> {
  const tried: string[] = [];
  for (const c of candidates) {
    const r = await execIn(a.target, [c, '--version']);
    if (r.exitCode === 0) return c;
    const down = containerDown(a.target, r);
    if (down) throw down;
    if (isTransientFailure(r.stderr)) throw new TransientError(`${describeTarget(a.target)}: ${r.stderr.trim()}`);
    tried.push(`${c}: ${(r.stderr || r.stdout).trim().split('\n')[0] ?? `exit ${r.exitCode}`}`);
  }
  throw new ToolError(`no ${candidates.join(' or ')} in ${describeTarget(a.target)} (${tried.join('; ')})`);
}

/** MariaDB 11 images ship mariadb-dump and no longer mysqldump. */
export const probeDumpClient = (a: DbAccess) => firstWorking(a, ['mariadb-dump', 'mysqldump']);
const sqlClients = new WeakMap<DbAccess, Promise<string>>();
/** probed once per DbAccess: one run asks the same container several questions */
export function probeSqlClient(a: DbAccess): Promise<string> {
  let p = sqlClients.get(a);
  if (!p) {
    p = firstWorking(a, ['mariadb', 'mysql']);
    p.catch(() => sqlClients.delete(a)); // a failed probe (container restarting) is asked again
    sqlClients.set(a, p);
  }
  return p;
}

/** Runs SQL (fed on stdin, so quoting never matters) and returns tab-separated rows. */
export async function mariadbQuery(a: DbAccess, sql: string, db?: string, client = 'mariadb'): Promise<string> {
  const cmd = [client, '-u', a.user, '-N', '-B', ...(db ? [db] : [])];
  const r = await execIn(a.target, cmd, { secrets: secrets(a), input: sql });
  if (r.exitCode !== 0) {
    const down = containerDown(a.target, r);
    if (down) throw down;
    const msg = `${client} in ${describeTarget(a.target)} failed (exit ${r.exitCode}): ${r.stderr.trim()}`;
    throw isTransientFailure(r.stderr) ? new TransientError(msg) : new MailbackupError(msg);
  }
  return r.stdout;
}

/** Streams SQL (a decompressed dump) into `db`. */
export async function loadSqlStream(
  a: DbAccess,
  db: string,
  input: NodeJS.ReadableStream,
  opts: { signal?: AbortSignal; client?: string } = {},
): Promise<void> {
  const client = opts.client ?? 'mariadb';
  const [file, args] = execArgs(a.target, [client, '-u', a.user, db], { env: ['MYSQL_PWD'], stdin: true });
  const child = spawnStream(file, args, { env: secrets(a), stdin: 'pipe', stdout: 'ignore', signal: opts.signal });
  let inputError: Error | undefined;
  // the input's own failure (a dump file gone or unreadable) stops the client and is reported
  input.on('error', (err: Error) => {
    inputError = err;
    child.stdin!.destroy();
    child.kill();
  });
  input.pipe(child.stdin!);
  child.stdin!.on('error', () => undefined); // EPIPE when the client dies; its exit status tells why
  const r = await streamExit(child, file);
  if (inputError) throw new MailbackupError(`loading into database ${db} failed: reading the dump: ${inputError.message}`);
  if (r.exitCode !== 0) {
    const down = containerDown(a.target, r);
    throw new MailbackupError(`loading into database ${db} failed (exit ${r.exitCode}): ${down ? down.message : r.stderr.trim()}`);
  }
}

const quoteIdent = (s: string) => '`' + s.replace(/`/g, '``') + '`';
const quoteString = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

/** Exact row counts (COUNT(*), not information_schema estimates) of every base table. */
export async function tableRowCounts(a: DbAccess, db: string): Promise<Record<string, number>> {
  const tables = (await mariadbQuery(a, "SHOW FULL TABLES WHERE Table_type = 'BASE TABLE'", db))
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t')[0]);
  if (tables.length === 0) return {};
  const sql = tables
    .map((t) => `SELECT ${quoteString(t)}, COUNT(*) FROM ${quoteIdent(t)}`)
    .join(' UNION ALL ');
  const out: Record<string, number> = {};
  for (const line of (await mariadbQuery(a, sql, db)).split('\n').filter(Boolean)) {
    const [t, n] = line.split('\t');
    out[t] = Number(n);
  }
  return out;
}

/** Every database on the server; older images have only `mysql`, MariaDB 11 only `mariadb`. */
export async function listDatabases(a: DbAccess): Promise<string[]> {
  const client = await probeSqlClient(a);
  return (await mariadbQuery(a, 'SHOW DATABASES', undefined, client)).split('\n').filter(Boolean);
}

/**
 * Accounts ('user'@'host') holding a privilege on one of `dbs`, at database, table or column
 * level. Roles (empty host) are left out: they are not carried in grants.sql.gz.
 */
export async function accountsOnDatabases(a: DbAccess, dbs: string[]): Promise<string[]> {
  if (dbs.length === 0) return [];
  const list = dbs.map(quoteString).join(', ');
  const sql = ['SCHEMA_PRIVILEGES', 'TABLE_PRIVILEGES', 'COLUMN_PRIVILEGES']
    .map((t) => `SELECT GRANTEE FROM information_schema.${t} WHERE TABLE_SCHEMA IN (${list})`)
    .join(' UNION ');
  const out = await mariadbQuery(a, `SELECT DISTINCT GRANTEE FROM (${sql}) g ORDER BY GRANTEE`, undefined, await probeSqlClient(a));
  return out.split('\n').filter((g) => g && !g.endsWith("@''"));
}

/** `mariadb-dump --system=users`: every account as portable SQL; undefined where unsupported. */
export async function dumpSystemUsers(a: DbAccess, client: string): Promise<string | undefined> {
  if (client !== 'mariadb-dump') return undefined;
  const r = await execIn(a.target, [client, '-u', a.user, '--system=users'], { secrets: secrets(a) });
  if (r.exitCode === 0) return r.stdout;
  const down = containerDown(a.target, r);
  if (down) throw down;
  if (isTransientFailure(r.stderr)) throw new TransientError(`${client} --system=users in ${describeTarget(a.target)}: ${r.stderr.trim()}`);
  return undefined; // an older server or client: SHOW CREATE USER / SHOW GRANTS instead
}

/** SHOW CREATE USER and SHOW GRANTS of one account ('user'@'host'), one statement a line. */
export async function showAccount(a: DbAccess, account: string): Promise<string[]> {
  const out = await mariadbQuery(a, `SHOW CREATE USER ${account}; SHOW GRANTS FOR ${account};`, undefined, await probeSqlClient(a));
  return out.split('\n').filter(Boolean);
}
