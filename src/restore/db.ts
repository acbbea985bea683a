/**
 * `restore db NAME [--as NEWNAME] [--with-grants]`: check the dump whole before anything is
 * dropped, take a safety dump when the target exists, stream the gzip dump into `mariadb` in
 * the container (password only in the environment), then compare tables and row counts with
 * backup.json. --with-grants then creates the accounts with a grant on NAME. The MariaDB steps
 * themselves live in datasource/mariadb/; this file decides their order and asks first.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { compareTables } from '../repository/dump-format.js';
import { layout } from '../repository/layout.js';
import { openDestination, type Destination } from '../repository/destination.js';
import { describeTarget } from '../tools/container.js';
import { tableRowCounts, type DbAccess } from '../tools/mariadb.js';
import { checkDumpLoadable, createDatabase, databaseExists, dbAccess, dumpedDatabases, emptyDatabase, GRANTS_FILE, loadDump, loadGrants, readGrantsFor, safetyDump } from '../datasource/mariadb/index.js';
import { comparisonLines, dbPlanLines, planDb, type DbPlan } from './db-plan.js';
import { confirm } from './guard.js';
import { checkDatabaseName, suggest } from './names.js';
import type { RestoreEnv, RestoreResult } from './result.js';
import { openSafetyDir } from './safety.js';

export interface RestoreDbOptions {
  as?: string;
  snapshot?: string;
  dryRun?: boolean;
  yes?: boolean;
  force?: boolean;
  withGrants?: boolean;
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
  const snap = await dest.read(o.snapshot ?? 'latest', { allowFailed: o.force });
  const dump = layout.dump(snap.dir, name);
  if (dump === join(snap.dir, GRANTS_FILE)) throw new UsageError(`${GRANTS_FILE} holds the accounts, not a database: use \`restore db NAME --with-grants\``);
  if (!existsSync(dump)) {
    const names = new Set([...Object.keys(snap.meta?.databases ?? {}), ...dumpedDatabases(snap.dir)]);
    throw new UsageError(`no dump of database ${name} in snapshot ${snap.id}${suggest(name, [...names]) || ' (it holds no database dumps)'}`);
  }
  if (o.withGrants && target !== name) {
    throw new UsageError(`--with-grants gives the accounts their grants on ${name}, not on ${target}: restore without --as, or grant by hand from mysql/grants.sql.gz`);
  }
  // read before anything changes: a damaged grants file stops the restore here
  const grants = o.withGrants ? await readGrantsFor(snap.dir, snap.id, name) : undefined;
  const a = dbAccess(env.config);
  const exists = await databaseExists(a, target);
  const expected = snap.meta?.databases?.[name]?.tables;
  const plan = planDb({ source: dump, snapshot: snap.id, database: name, target, replace: exists, ...(grants ? { accounts: grants.accounts } : {}) }, expected);
  const lines = dbPlanLines(plan);
  if (o.dryRun) return { outcome: 'ok', data: { plan, dryRun: true }, lines: [...lines, 'dry run: nothing was changed'] };

  await checkDumpLoadable(dump, target);
  if (exists) await confirm(`replace the live database ${target} in ${describeTarget(a.target)} (a safety dump is taken first)`, o.yes);
  const out: Record<string, unknown> = { plan };
  await replaceFromDump(env, a, plan, o, out, lines);
  if (grants) {
    await loadGrants(a, grants.statements);
    lines.push(grants.accounts.length ? `accounts created or updated, with their grants: ${grants.accounts.join(', ')}` : `no account has a grant on ${name} in grants.sql.gz`);
    out.accounts = grants.accounts;
    env.log.info({ accounts: grants.accounts }, 'accounts and grants loaded');
  }
  return compareWithBackup(env, a, plan, expected, out, lines);
}

/** Safety dump of a target that exists (invariant 9), then the load; pushes what it did onto `lines` and `out`. */
async function replaceFromDump(env: RestoreEnv, a: DbAccess, plan: DbPlan, o: RestoreDbOptions, out: Record<string, unknown>, lines: string[]): Promise<void> {
  const { log } = env;
  const { database: name, target, source: dump } = plan;
  const safety = plan.replace ? await openSafetyDir(env.config, `restore db ${name}`) : undefined;
  try {
    let safetyFile: string | undefined;
    if (safety) {
      safetyFile = await safetyDump(a, target, safety.dir, env.signal);
      safety.record({ command: `restore db ${name}${o.as ? ` --as ${target}` : ''}`, snapshot: plan.snapshot, saved: [{ live: `database ${target}`, copy: safetyFile }] });
      out.safety = safetyFile;
      lines.push(`safety dump of ${target}: ${safetyFile}`);
      log.info({ file: safetyFile }, `safety dump of ${target} written to ${safetyFile}`);
      await emptyDatabase(a, target);
    } else {
      await createDatabase(a, target);
    }
    await loadDump(a, dump, target, safetyFile, env.signal);
    log.info({ database: target }, `dump of ${name} loaded into ${target}`);
  } finally {
    safety?.release();
  }
}

async function compareWithBackup(env: RestoreEnv, a: DbAccess, plan: DbPlan, expected: Record<string, number> | undefined, out: Record<string, unknown>, lines: string[]): Promise<RestoreResult> {
  const { database: name, target } = plan;
  const found = await tableRowCounts(a, target);
  lines.push(`loaded ${name} into ${target}: ${Object.keys(found).length} table(s), ${Object.values(found).reduce((x, y) => x + y, 0)} row(s)`);
  if (!expected) {
    lines.push('  backup.json has no table counts for this dump: compare by hand');
    return { outcome: 'warning', data: { ...out, tables: found, comparison: null }, lines };
  }
  const cmp = compareTables(expected, found);
  lines.push(...comparisonLines(cmp));
  if (!cmp.ok) env.log.error({ comparison: cmp }, 'restored database differs from backup.json');
  return { outcome: cmp.ok ? 'ok' : 'damaged', data: { ...out, tables: found, comparison: cmp }, lines };
}
