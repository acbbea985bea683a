/**
 * `restore db --with-grants`: the accounts with a grant on the database, read from the
 * snapshot's mysql/grants.sql.gz (checked whole by the dump rules first) and loaded through the
 * SQL client's stdin, so neither the password hashes nor anything else lands in an argv.
 * CREATE USER IF NOT EXISTS keeps an account that exists; the GRANT … IDENTIFIED BY PASSWORD
 * that follows sets its password back to the stored hash.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DamageError, UsageError } from '../../errors.js';
import { readDump } from '../../repository/dump-format.js';
import { GRANTS_FILE, grantsFor, parseGrants, type GrantStatement } from './grants-format.js';
import { mariadbQuery, probeSqlClient, type DbAccess } from '../../tools/mariadb.js';
import { gunzipText } from '../../util/gunzip-file.js';

export async function readGrantsFor(snapDir: string, snapId: string, db: string): Promise<{ accounts: string[]; statements: GrantStatement[] }> {
  const file = join(snapDir, GRANTS_FILE);
  if (!existsSync(file)) {
    throw new UsageError(`snapshot ${snapId} holds no ${GRANTS_FILE} (made before accounts were backed up): restore without --with-grants and create the accounts by hand`);
  }
  const read = await readDump(file);
  if (read.problems.length) throw new DamageError(`${file}: ${read.problems.join('; ')}; try an older snapshot`);
  const parsed = parseGrants(await gunzipText(file));
  if (parsed.problems.length) throw new DamageError(`${file}: ${parsed.problems.join('; ')}`);
  return grantsFor(parsed.statements, db);
}

export async function loadGrants(a: DbAccess, statements: GrantStatement[]): Promise<void> {
  if (statements.length === 0) return;
  const sql = [...statements.map((s) => `${s.sql};`), 'FLUSH PRIVILEGES;'].join('\n');
  await mariadbQuery(a, sql, undefined, await probeSqlClient(a));
}
