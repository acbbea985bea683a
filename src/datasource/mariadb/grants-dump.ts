/**
 * mysql/grants.sql.gz: the accounts the applications log in with, and their grants, so a full
 * recovery into a new server brings them back (grants-format.ts has the file's rules).
 * `mariadb-dump --system=users` where the client has it, else SHOW CREATE USER / SHOW GRANTS;
 * either way only accounts with a privilege on a dumped database. Checked like every dump:
 * written 0600, read back whole, trailer at the end.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { MailbackupError } from '../../errors.js';
import { readDump } from '../../repository/dump-format.js';
import { GRANTS_FILE, renderGrants, selectAccountStatements } from './grants-format.js';
import type { GrantsResult } from '../../repository/metadata.js';
import { accountsOnDatabases, dumpSystemUsers, showAccount, type DbAccess } from '../../tools/mariadb.js';

export async function dumpGrants(a: DbAccess, client: string, databases: string[], outFile: string, now = new Date()): Promise<GrantsResult> {
  const accounts = await accountsOnDatabases(a, databases);
  const wanted = new Set(accounts);
  const system = accounts.length ? await dumpSystemUsers(a, client) : undefined;
  let source = !accounts.length ? 'information_schema: no account has a grant on them' : system !== undefined ? `${client} --system=users` : 'SHOW CREATE USER / SHOW GRANTS';
  let statements = selectAccountStatements(system?.split('\n') ?? [], wanted);
  // an account the dump did not carry (or no --system at all): ask the server directly
  const missing = accounts.filter((acc) => !statements.some((s) => s.account === acc && s.kind === 'create'));
  if (missing.length) {
    const lines = (await Promise.all(missing.map((acc) => showAccount(a, acc)))).flat();
    statements = selectAccountStatements([...statements.map((s) => s.sql), ...lines], wanted);
    if (system !== undefined) source += ' + SHOW GRANTS';
  }
  const text = renderGrants({ databases, source, at: now }, statements);
  const gz = gzipSync(Buffer.from(text, 'utf8'), { level: 6 });
  writeFileSync(outFile, gz, { mode: 0o600 });
  const sha256 = createHash('sha256').update(gz).digest('hex');
  const back = await readDump(outFile);
  const problems = [...back.problems];
  if (back.scan.rawBytes !== Buffer.byteLength(text) || back.sha256 !== sha256) problems.push('does not read back as written');
  if (problems.length) throw new MailbackupError(`${GRANTS_FILE}: ${problems.join('; ')}`);
  return { file: GRANTS_FILE, bytes: gz.length, rawBytes: back.scan.rawBytes, sha256, accounts, source, status: 'ok' };
}
