/**
 * The live MariaDB server as the config names it: how to reach it (container, user, password
 * from the credentials file, never in argv) and whether it holds a database.
 */
import type { Config } from '../../config/schema.js';
import { mariadbQuery, readCredentials, type DbAccess } from '../../tools/mariadb.js';

export function dbAccess(config: Config): DbAccess {
  const d = config.database;
  return { target: { runtime: d.runtime, container: d.container }, user: d.user, password: readCredentials(d.credentialsFile) };
}

export async function databaseExists(a: DbAccess, name: string): Promise<boolean> {
  const out = await mariadbQuery(a, `SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '${name}'`);
  return out.split('\n').includes(name);
}
