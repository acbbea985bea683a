/**
 * The drill's check of mysql/grants.sql.gz. Loading accounts into the live server the drill
 * uses for its scratch databases would change who can log in there, so the file is checked by
 * parsing instead: whole (the dump rules), only account statements, and every account that
 * backup.json names has its CREATE USER and a grant on a dumped database.
 */
import { readDump } from '../../repository/dump-format.js';
import { checkGrants, parseGrants } from './grants-format.js';
import type { GrantsResult } from '../../repository/metadata.js';
import type { DrillCheck } from '../../drill/report.js';
import { gunzipText } from '../../util/gunzip-file.js';

export async function drillGrants(file: string, meta: GrantsResult, databases: string[]): Promise<DrillCheck> {
  const name = 'database accounts and grants';
  const read = await readDump(file);
  const problems = [...read.problems];
  if (read.sha256 && read.sha256 !== meta.sha256) problems.push('sha256 differs from backup.json');
  if (problems.length === 0) problems.push(...checkGrants(parseGrants(await gunzipText(file)), meta.accounts, databases));
  if (problems.length) return { name, status: 'fail', detail: `${meta.file}: ${problems.join('; ')}` };
  return { name, status: 'ok', detail: `${meta.accounts.length} account(s) with their grants parse and match backup.json (${meta.accounts.join(', ') || 'none'})` };
}
