/**
 * The MariaDB data source, in one place (as borgmatic's hooks/data_source/mariadb.py):
 *   server.ts        how to reach the live server (credentials from a file, never argv)
 *   select.ts        list: which databases a run dumps, and what appeared or disappeared
 *   dump-all.ts      the backup's databases step: select, dump each (dump.ts), then the accounts
 *   dump.ts          one database → mysql/<db>.sql.gz, counted (row-counter.ts) and read back
 *   grants-*.ts      the accounts and grants: file format, dump, restore, drill check
 *   restore.ts       a dump back into the live server (restore/db.ts decides when)
 *   drill-load.ts    a dump into a scratch database, counted against backup.json
 * Processes are spawned by tools/mariadb*.ts only; the dump file rules are repository/dump-format.ts.
 * The rest of mailbackup imports this face, not the files behind it.
 */
export { backupDatabases, type DatabasesOutcome } from './dump-all.js';
export { drillDatabase, dropScratch, scratchName } from './drill-load.js';
export { drillGrants } from './grants-check.js';
export { GRANTS_FILE } from './grants-format.js';
export { loadGrants, readGrantsFor } from './grants-restore.js';
export { checkDumpLoadable, createDatabase, dumpedDatabases, emptyDatabase, loadDump, safetyDump } from './restore.js';
export { databaseExists, dbAccess } from './server.js';
