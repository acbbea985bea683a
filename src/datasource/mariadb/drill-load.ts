/**
 * Each dump goes into a scratch database `<name>_drill` through the same client a restore
 * uses; its tables and exact row counts must equal what backup.json recorded. The scratch
 * database is dropped afterwards by the caller (also on failure).
 */
import { PassThrough } from 'node:stream';
import { errorMessage } from '../../errors.js';
import { compareTables, comparisonProblems, DumpScanner, gzipProblem, isDrillScratch, scratchName, sumRows } from '../../repository/dump-format.js';
import type { DatabaseResult } from '../../repository/metadata.js';
import { loadSqlStream, mariadbQuery, tableRowCounts, type DbAccess } from '../../tools/mariadb.js';
import { gunzipFile } from '../../util/gunzip-file.js';
import type { DrillCheck } from '../../drill/report.js';

export { scratchName };

export async function createScratch(a: DbAccess, db: string): Promise<void> {
  const name = scratchName(db);
  await mariadbQuery(a, `DROP DATABASE IF EXISTS \`${name}\`; CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4;`);
}

export async function dropScratch(a: DbAccess, db: string): Promise<void> {
  await mariadbQuery(a, `DROP DATABASE IF EXISTS \`${scratchName(db)}\``);
}

/** Names of scratch databases present on the server (tests and cleanup checks). */
export async function listScratch(a: DbAccess): Promise<string[]> {
  return (await mariadbQuery(a, 'SHOW DATABASES')).split('\n').filter(isDrillScratch);
}

/**
 * Streams the gunzipped dump into the client. A gzip error ends the client's input (so the
 * client stops instead of waiting) and is reported; the partial load is then meaningless.
 */
async function loadDump(a: DbAccess, file: string, db: string, signal?: AbortSignal): Promise<string[]> {
  const problems: string[] = [];
  const sql = new PassThrough();
  const loading = loadSqlStream(a, scratchName(db), sql, { signal });
  let clientDone = false;
  const settled = loading.then(
    () => void (clientDone = true),
    () => void (clientDone = true),
  );
  // a dump that switches database would load into the live one instead of the scratch copy
  const scan = new DumpScanner();
  try {
    for await (const chunk of gunzipFile(file)) {
      scan.push(chunk as Buffer);
      if (scan.switchLine) {
        problems.push(`the dump contains "${scan.switchLine}": not loaded into the scratch database`);
        break;
      }
      // a client that died stops reading: wait for drain or its exit, never forever
      if (!sql.write(chunk)) await Promise.race([new Promise((r) => sql.once('drain', r)), settled]);
      if (clientDone) break;
    }
  } catch (err) {
    problems.push(gzipProblem(errorMessage(err)));
  }
  sql.end();
  try {
    await loading;
  } catch (err) {
    if (problems.length === 0) problems.push(errorMessage(err));
  }
  if (problems.length === 0) problems.push(...scan.problems());
  return problems;
}

export async function drillDatabase(a: DbAccess, db: string, file: string, meta: DatabaseResult, signal?: AbortSignal): Promise<DrillCheck> {
  const name = `database ${db}`;
  await createScratch(a, db);
  const problems = await loadDump(a, file, db, signal);
  if (problems.length === 0) problems.push(...comparisonProblems(compareTables(meta.tables ?? {}, await tableRowCounts(a, scratchName(db)))));
  if (problems.length) return { name, status: 'fail', detail: `${meta.file}: ${problems.join('; ')}` };
  const tables = Object.keys(meta.tables ?? {}).length;
  const rows = sumRows(meta.tables);
  return { name, status: 'ok', detail: `${tables} tables, ${rows} rows loaded into ${scratchName(db)}, as recorded` };
}
