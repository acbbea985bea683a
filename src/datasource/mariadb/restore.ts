/**
 * Putting a dump back into the live server: which dumps a snapshot holds, the check a dump
 * passes before anything is dropped, the safety dump of what it replaces, and the load.
 * restore/db.ts decides when (plan, confirmation, safety directory); this file does it.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DamageError, MailbackupError } from '../../errors.js';
import { readDump } from '../../repository/dump-format.js';
import { dbOfDumpName, layout } from '../../repository/layout.js';
import { loadSqlStream, mariadbQuery, probeDumpClient, type DbAccess } from '../../tools/mariadb.js';
import { gunzipFile } from '../../util/gunzip-file.js';
import { dumpDatabase } from './dump.js';
import { GRANTS_FILE } from './grants-format.js';

/** The databases a snapshot holds dumps of (not the accounts file), sorted. */
export function dumpedDatabases(snapDir: string): string[] {
  const dir = layout.mysqlDir(snapDir);
  if (!existsSync(dir)) return [];
  const dbs = readdirSync(dir).map(dbOfDumpName);
  return dbs.filter((db): db is string => db !== undefined && layout.dumpName(db) !== GRANTS_FILE).sort();
}

/** The dump must be whole before anything is dropped: the dump rules, and no database switch. */
export async function checkDumpLoadable(dump: string, target: string): Promise<void> {
  const back = await readDump(dump);
  if (back.problems.length) throw new DamageError(`dump ${dump}: ${back.problems.join('; ')}; try an older snapshot: \`mailbackup list\``);
  if (back.scan.switchLine) throw new DamageError(`dump ${dump} contains "${back.scan.switchLine}" and would not load into ${target} only; load it by hand`);
}

/** Dumps the live `target` into `safetyDir`/mysql/ before it is replaced; the file's path. */
export async function safetyDump(a: DbAccess, target: string, safetyDir: string, signal?: AbortSignal): Promise<string> {
  mkdirSync(layout.mysqlDir(safetyDir), { mode: 0o700 });
  const file = join(safetyDir, layout.dumpName(target));
  const client = await probeDumpClient(a);
  await dumpDatabase(a, client, target, file, layout.dumpName(target), signal);
  return file;
}

/** Drops `target` and creates it again empty, with the character set and collation it had. */
export async function emptyDatabase(a: DbAccess, target: string): Promise<void> {
  const cs = (await mariadbQuery(a, `SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '${target}'`)).trim().split('\t');
  await mariadbQuery(a, `DROP DATABASE \`${target}\`; CREATE DATABASE \`${target}\` CHARACTER SET ${cs[0]} COLLATE ${cs[1]};`);
}

export async function createDatabase(a: DbAccess, target: string): Promise<void> {
  await mariadbQuery(a, `CREATE DATABASE \`${target}\`;`);
}

/** Streams the gzip dump into `target`; a failure names how to undo it (`safetyFile`: what was there before). */
export async function loadDump(a: DbAccess, dump: string, target: string, safetyFile: string | undefined, signal?: AbortSignal): Promise<void> {
  try {
    await loadSqlStream(a, target, gunzipFile(dump), { signal });
  } catch (err) {
    const hint = safetyFile
      ? `the previous contents are in ${safetyFile}: \`zcat ${safetyFile} | mariadb ${target}\` in the database container puts them back`
      : `drop the half-loaded database: DROP DATABASE \`${target}\``;
    throw new MailbackupError(`${(err as Error).message}; ${hint}`);
  }
}
