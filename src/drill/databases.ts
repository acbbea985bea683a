/**
 * Each dump goes into a scratch database `<name>_drill` through the same client a restore
 * uses; its tables and exact row counts must equal what backup.json recorded. The scratch
 * database is dropped afterwards by the caller (also on failure).
 */
import { PassThrough } from 'node:stream';
import { errorMessage } from '../errors.js';
import type { DatabaseResult } from '../repository/metadata.js';
import { loadSqlStream, mariadbQuery, tableRowCounts, type DbAccess } from '../tools/mariadb.js';
import { gunzipFile } from '../util/gunzip-file.js';
import type { DrillCheck } from './report.js';

export const scratchName = (db: string) => `${db}_drill`;
const TRAILER = '-- Dump completed';
/** a dump that switches database would load into the live one instead of the scratch copy */
const SWITCHES_DB = /^(USE |CREATE DATABASE )/m;

export async function createScratch(a: DbAccess, db: string): Promise<void> {
  const name = scratchName(db);
  await mariadbQuery(a, `DROP DATABASE IF EXISTS \`${name}\`; CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4;`);
}

export async function dropScratch(a: DbAccess, db: string): Promise<void> {
  await mariadbQuery(a, `DROP DATABASE IF EXISTS \`${scratchName(db)}\``);
}

/** Names of scratch databases present on the server (tests and cleanup checks). */
export async function listScratch(a: DbAccess): Promise<string[]> {
  return (await mariadbQuery(a, 'SHOW DATABASES')).split('\n').filter((n) => n.endsWith('_drill'));
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
  let tail = '';
  try {
    for await (const chunk of gunzipFile(file)) {
      const text = (chunk as Buffer).toString('utf8');
      if (SWITCHES_DB.test(tail.slice(-200) + text)) {
        problems.push('the dump switches database (USE/CREATE DATABASE): not loaded into the scratch database');
        break;
      }
      tail = (tail + text).slice(-512);
      // a client that died stops reading: wait for drain or its exit, never forever
      if (!sql.write(chunk)) await Promise.race([new Promise((r) => sql.once('drain', r)), settled]);
      if (clientDone) break;
    }
  } catch (err) {
    const msg = errorMessage(err);
    problems.push(/unexpected end/i.test(msg) ? 'dump truncated (gzip data ends early)' : `dump unreadable: ${msg}`);
  }
  sql.end();
  try {
    await loading;
  } catch (err) {
    if (problems.length === 0) problems.push(errorMessage(err));
  }
  if (problems.length === 0 && !tail.includes(TRAILER)) problems.push(`"${TRAILER}" trailer missing (dump incomplete)`);
  return problems;
}

export function compareTables(recorded: Record<string, number>, found: Record<string, number>): string[] {
  const out: string[] = [];
  for (const [t, rows] of Object.entries(recorded)) {
    if (!(t in found)) out.push(`table ${t} missing`);
    else if (found[t] !== rows) out.push(`table ${t} has ${found[t]} rows, backup.json says ${rows}`);
  }
  for (const t of Object.keys(found)) if (!(t in recorded)) out.push(`table ${t} not in backup.json`);
  return out;
}

export async function drillDatabase(a: DbAccess, db: string, file: string, meta: DatabaseResult, signal?: AbortSignal): Promise<DrillCheck> {
  const name = `database ${db}`;
  await createScratch(a, db);
  const problems = await loadDump(a, file, db, signal);
  if (problems.length === 0) problems.push(...compareTables(meta.tables ?? {}, await tableRowCounts(a, scratchName(db))));
  if (problems.length) return { name, status: 'fail', detail: `${meta.file}: ${problems.join('; ')}` };
  const tables = Object.keys(meta.tables ?? {}).length;
  const rows = Object.values(meta.tables ?? {}).reduce((n, r) => n + r, 0);
  return { name, status: 'ok', detail: `${tables} tables, ${rows} rows loaded into ${scratchName(db)}, as recorded` };
}
