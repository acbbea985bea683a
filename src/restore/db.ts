/**
 * `restore db NAME [--as NEWNAME] [--with-grants]`: check the dump whole before anything is
 * dropped, take a safety dump when the target exists, stream the gzip dump into `mariadb` in
 * the container (password only in the environment), then compare tables and row counts with
 * backup.json. --with-grants then creates the accounts with a grant on NAME (db-grants.ts).
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import { DamageError, MailbackupError, UsageError } from '../errors.js';
import { dumpDatabase } from '../backup/database-dump.js';
import { compareTables, readDump } from '../repository/dump-format.js';
import { GRANTS_FILE } from '../repository/grants-format.js';
import { layout } from '../repository/layout.js';
import { openDestination, type Destination } from '../repository/destination.js';
import { describeTarget } from '../tools/container.js';
import { loadSqlStream, mariadbQuery, probeDumpClient, readCredentials, tableRowCounts, type DbAccess } from '../tools/mariadb.js';
import { comparisonLines, dbPlanLines, planDb } from './db-plan.js';
import { loadGrants, readGrantsFor } from './db-grants.js';
import { confirm } from './guard.js';
import { checkDatabaseName, suggest } from './names.js';
import type { RestoreEnv, RestoreResult } from './result.js';
import { openSafetyDir } from './safety.js';
import { gunzipFile } from '../util/gunzip-file.js';

export interface RestoreDbOptions {
  as?: string;
  snapshot?: string;
  dryRun?: boolean;
  yes?: boolean;
  force?: boolean;
  withGrants?: boolean;
}

export function dbAccess(config: Config): DbAccess {
  const d = config.database;
  return { target: { runtime: d.runtime, container: d.container }, user: d.user, password: readCredentials(d.credentialsFile) };
}

async function databaseExists(a: DbAccess, name: string): Promise<boolean> {
  const out = await mariadbQuery(a, `SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '${name}'`);
  return out.split('\n').includes(name);
}

export async function restoreDb(env: RestoreEnv, nameArg: string, o: RestoreDbOptions): Promise<RestoreResult> {
  const name = checkDatabaseName('database', nameArg);
  const target = o.as ? checkDatabaseName('--as', o.as) : name;
  const dest = await openDestination(env.config, 'shared', { command: `restore db ${name}` });
  try {
    return await restoreHeld(env, dest, name, target, o);
  } finally {
    dest.release();
  }
}

async function restoreHeld(env: RestoreEnv, dest: Destination, name: string, target: string, o: RestoreDbOptions): Promise<RestoreResult> {
  const { config } = env;
  const snap = await dest.read(o.snapshot ?? 'latest', { allowFailed: o.force });
  const dump = layout.dump(snap.dir, name);
  if (dump === join(snap.dir, GRANTS_FILE)) throw new UsageError(`${GRANTS_FILE} holds the accounts, not a database: use \`restore db NAME --with-grants\``);
  if (!existsSync(dump)) {
    const names = new Set(Object.keys(snap.meta?.databases ?? {}));
    if (existsSync(layout.mysqlDir(snap.dir))) for (const f of readdirSync(layout.mysqlDir(snap.dir))) if (f.endsWith('.sql.gz') && `mysql/${f}` !== GRANTS_FILE) names.add(f.slice(0, -7));
    throw new UsageError(`no dump of database ${name} in snapshot ${snap.id}${suggest(name, [...names]) || ' (it holds no database dumps)'}`);
  }
  if (o.withGrants && target !== name) {
    throw new UsageError(`--with-grants gives the accounts their grants on ${name}, not on ${target}: restore without --as, or grant by hand from mysql/grants.sql.gz`);
  }
  // read before anything changes: a damaged grants file stops the restore here
  const grants = o.withGrants ? await readGrantsFor(snap.dir, snap.id, name) : undefined;
  const a = dbAccess(config);
  const exists = await databaseExists(a, target);
  const expected = snap.meta?.databases?.[name]?.tables;
  const plan = planDb({ source: dump, snapshot: snap.id, database: name, target, replace: exists, ...(grants ? { accounts: grants.accounts } : {}) }, expected);
  const lines = dbPlanLines(plan);
  if (o.dryRun) return { outcome: 'ok', data: { plan, dryRun: true }, lines: [...lines, 'dry run: nothing was changed'] };

  // The dump must be whole before anything is dropped: the dump rules, and no database switch.
  const back = await readDump(dump);
  if (back.problems.length) throw new DamageError(`dump ${dump}: ${back.problems.join('; ')}; try an older snapshot: \`mailbackup list\``);
  if (back.scan.switchLine) throw new DamageError(`dump ${dump} contains "${back.scan.switchLine}" and would not load into ${target} only; load it by hand`);

  if (exists) await confirm(`replace the live database ${target} in ${describeTarget(a.target)} (a safety dump is taken first)`, o.yes);
  const { log } = env;
  const out: Record<string, unknown> = { plan };
  const safety = exists ? await openSafetyDir(config, `restore db ${name}`) : undefined;
  try {
    if (safety) {
      mkdirSync(join(safety.dir, 'mysql'), { mode: 0o700 });
      const file = join(safety.dir, 'mysql', `${target}.sql.gz`);
      const client = await probeDumpClient(a);
      await dumpDatabase(a, client, target, file, `mysql/${target}.sql.gz`, env.signal);
      safety.record({ command: `restore db ${name}${o.as ? ` --as ${target}` : ''}`, snapshot: snap.id, saved: [{ live: `database ${target}`, copy: file }] });
      out.safety = file;
      lines.push(`safety dump of ${target}: ${file}`);
      log.info({ file }, `safety dump of ${target} written to ${file}`);
      const cs = (await mariadbQuery(a, `SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '${target}'`)).trim().split('\t');
      await mariadbQuery(a, `DROP DATABASE \`${target}\`; CREATE DATABASE \`${target}\` CHARACTER SET ${cs[0]} COLLATE ${cs[1]};`);
    } else {
      await mariadbQuery(a, `CREATE DATABASE \`${target}\`;`);
    }
    try {
      await loadSqlStream(a, target, gunzipFile(dump), { signal: env.signal });
    } catch (err) {
      const hint = safety
        ? `the previous contents are in ${out.safety}: \`zcat ${out.safety} | mariadb ${target}\` in the database container puts them back`
        : `drop the half-loaded database: DROP DATABASE \`${target}\``;
      throw new MailbackupError(`${(err as Error).message}; ${hint}`);
    }
    log.info({ database: target }, `dump of ${name} loaded into ${target}`);
  } finally {
    safety?.release();
  }

  if (grants) {
    await loadGrants(a, grants.statements);
    lines.push(grants.accounts.length ? `accounts created or updated, with their grants: ${grants.accounts.join(', ')}` : `no account has a grant on ${name} in grants.sql.gz`);
    out.accounts = grants.accounts;
    log.info({ accounts: grants.accounts }, 'accounts and grants loaded');
  }
  const found = await tableRowCounts(a, target);
  lines.push(`loaded ${name} into ${target}: ${Object.keys(found).length} table(s), ${Object.values(found).reduce((x, y) => x + y, 0)} row(s)`);
  if (!expected) {
    lines.push('  backup.json has no table counts for this dump: compare by hand');
    return { outcome: 'warning', data: { ...out, tables: found, comparison: null }, lines };
  }
  const cmp = compareTables(expected, found);
  lines.push(...comparisonLines(cmp));
  if (!cmp.ok) log.error({ comparison: cmp }, 'restored database differs from backup.json');
  return { outcome: cmp.ok ? 'ok' : 'damaged', data: { ...out, tables: found, comparison: cmp }, lines };
}
