/**
 * mysql/grants.sql.gz: the database accounts that hold privileges on the dumped databases, as
 * the SQL that recreates them. One statement per line: `CREATE USER IF NOT EXISTS` (the
 * password as the server stores it: a hash, never the clear text) and the account's `GRANT`s,
 * then `FLUSH PRIVILEGES` and the same `-- Dump completed` trailer as every dump. Both sources
 * (`mariadb-dump --system=users`, or SHOW CREATE USER / SHOW GRANTS) are reduced to this form.
 * Roles are not carried: a role membership line would fail on a server without the role.
 */
import { layout } from '../../repository/layout.js';

/** where a snapshot keeps it, relative to the snapshot directory: mysql/grants.sql.gz */
export const GRANTS_FILE = layout.dumpName('grants');

const NAME = '`((?:[^`]|``)*)`';
const CREATE = new RegExp(`^CREATE USER (?:IF NOT EXISTS )?${NAME}@${NAME}`);
const GRANT = new RegExp(`^GRANT .* TO ${NAME}@${NAME}`);
const ROLE_MEMBERSHIP = /^GRANT `[^`]*`(?:\s*,\s*`[^`]*`)* TO /;
const GRANT_ON_DB = new RegExp(` ON (?:(?:PROCEDURE|FUNCTION|PACKAGE(?: BODY)?) )?${NAME}\\.`);

const unquote = (s: string) => s.replace(/``/g, '`');
/** 'user'@'host', the way the server names an account (information_schema GRANTEE) */
const accountName = (user: string, host: string) => `'${user}'@'${host}'`;

export interface GrantStatement {
  account: string;
  kind: 'create' | 'grant';
  sql: string;
}

/** The account a CREATE USER or GRANT statement is about; undefined for anything else. */
function classify(line: string): GrantStatement | undefined {
  const sql = line.trim().replace(/;$/, '');
  const c = CREATE.exec(sql);
  if (c) return { account: accountName(unquote(c[1]), unquote(c[2])), kind: 'create', sql: sql.replace(/^CREATE USER (?:IF NOT EXISTS )?/, 'CREATE USER IF NOT EXISTS ') };
  if (ROLE_MEMBERSHIP.test(sql)) return undefined;
  const g = GRANT.exec(sql);
  if (g) return { account: accountName(unquote(g[1]), unquote(g[2])), kind: 'grant', sql };
  return undefined;
}

/** The databases a GRANT statement gives privileges on (none for `*.*`). */
function grantDatabases(sql: string): string[] {
  const m = GRANT_ON_DB.exec(sql);
  return m ? [unquote(m[1])] : [];
}

/**
 * From any dump or SHOW output: the statements of `accounts`, every CREATE USER first, by
 * account name (so both sources give the same file), each account's grants in server order.
 */
export function selectAccountStatements(lines: string[], accounts: ReadonlySet<string>): GrantStatement[] {
  const picked = lines.map(classify).filter((s): s is GrantStatement => s !== undefined && accounts.has(s.account));
  const byAccount = (a: GrantStatement, b: GrantStatement) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0);
  const unique = (list: GrantStatement[]) => list.filter((s, i) => list.findIndex((t) => t.sql === s.sql) === i);
  return unique([...picked.filter((s) => s.kind === 'create').sort(byAccount), ...picked.filter((s) => s.kind === 'grant').sort(byAccount)]);
}

export interface GrantsHeader {
  databases: string[];
  source: string;
  at: Date;
}

export function renderGrants(h: GrantsHeader, statements: GrantStatement[]): string {
  const accounts = [...new Set(statements.map((s) => s.account))];
  return [
    `-- mailbackup: database accounts and grants on ${h.databases.join(', ') || '(no database)'}`,
    `-- source: ${h.source}; passwords are the server's hashes`,
    `-- accounts: ${accounts.join(', ') || '(none)'}`,
    ...statements.map((s) => `${s.sql};`),
    'FLUSH PRIVILEGES;',
    `-- Dump completed on ${h.at.toISOString()}`,
    '',
  ].join('\n');
}

export interface ParsedGrants {
  statements: GrantStatement[];
  /** lines that are neither a comment, an account statement nor FLUSH PRIVILEGES */
  problems: string[];
}

export function parseGrants(text: string): ParsedGrants {
  const statements: GrantStatement[] = [];
  const problems: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim() || line.startsWith('--') || line.trim() === 'FLUSH PRIVILEGES;') return;
    const s = line.endsWith(';') ? classify(line) : undefined;
    if (s) statements.push(s);
    else problems.push(`line ${i + 1} is not a CREATE USER or GRANT statement: ${line.slice(0, 80)}`);
  });
  return { statements, problems };
}

/** Accounts with a grant on `db`, and all their statements (what `restore db --with-grants` loads). */
export function grantsFor(statements: GrantStatement[], db: string): { accounts: string[]; statements: GrantStatement[] } {
  const accounts = new Set(statements.filter((s) => s.kind === 'grant' && grantDatabases(s.sql).includes(db)).map((s) => s.account));
  return { accounts: [...accounts], statements: statements.filter((s) => accounts.has(s.account)) };
}

/** What a drill can check without a server: every account has its CREATE USER and a grant on a dumped database. */
export function checkGrants(parsed: ParsedGrants, recorded: string[], databases: string[]): string[] {
  const problems = [...parsed.problems];
  for (const account of recorded) {
    const own = parsed.statements.filter((s) => s.account === account);
    if (!own.some((s) => s.kind === 'create')) problems.push(`${account} has no CREATE USER`);
    if (!own.some((s) => s.kind === 'grant' && grantDatabases(s.sql).some((d) => databases.includes(d)))) {
      problems.push(`${account} has no grant on ${databases.join(', ')}`);
    }
  }
  const extra = [...new Set(parsed.statements.map((s) => s.account))].filter((a) => !recorded.includes(a));
  if (extra.length) problems.push(`accounts not in backup.json: ${extra.join(', ')}`);
  return problems;
}
