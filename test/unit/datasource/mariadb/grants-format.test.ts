/** grants.sql.gz from both sources: the lines below are real MariaDB 10.11 output. */
import { describe, expect, it } from 'vitest';
import { checkGrants, grantsFor, parseGrants, renderGrants, selectAccountStatements } from '../../../../src/datasource/mariadb/grants-format.js';

const SYSTEM_USERS = `/*M!999999\\- enable the sandbox mode */
CREATE USER \`mariadb.sys\`@\`localhost\` ACCOUNT LOCK PASSWORD EXPIRE;
CREATE USER \`root\`@\`localhost\` IDENTIFIED BY PASSWORD '*31B224CB3099F73DB5835A086DA21FAFA9F07846';
CREATE USER \`app\`@\`localhost\` IDENTIFIED BY PASSWORD '*B865CAE8F340F6CE1485A06F4492BB49718DF1EC';
CREATE USER \`rc\`@\`%\` IDENTIFIED BY PASSWORD '*B69027D44F6E5EDC07F1AEAD1477967B16F28227';
CREATE USER \`tbl\`@\`localhost\`;
/*M!100005 CREATE ROLE 'r1' WITH ADMIN mariadb_dump_import_role */;
GRANT ALL PRIVILEGES ON *.* TO \`root\`@\`localhost\` IDENTIFIED BY PASSWORD '*31B224CB3099F73DB5835A086DA21FAFA9F07846' WITH GRANT OPTION;
GRANT PROXY ON \`\`@\`%\` TO \`root\`@\`localhost\` WITH GRANT OPTION;
GRANT \`r1\` TO \`app\`@\`localhost\`;
GRANT USAGE ON *.* TO \`app\`@\`localhost\` IDENTIFIED BY PASSWORD '*B865CAE8F340F6CE1485A06F4492BB49718DF1EC';
GRANT SELECT, INSERT ON \`usermgmt\`.* TO \`app\`@\`localhost\`;
/*M!100005 SET DEFAULT ROLE NONE FOR 'app'@'localhost' */;
GRANT USAGE ON *.* TO \`rc\`@\`%\` IDENTIFIED BY PASSWORD '*B69027D44F6E5EDC07F1AEAD1477967B16F28227';
GRANT ALL PRIVILEGES ON \`roundcubemail\`.* TO \`rc\`@\`%\`;
GRANT USAGE ON *.* TO \`tbl\`@\`localhost\`;
GRANT SELECT (\`id\`) ON \`usermgmt\`.\`t\` TO \`tbl\`@\`localhost\`;
GRANT USAGE ON *.* TO \`r1\`;
-- Dump completed on 2026-12-02  5:59:10
`.split('\n');

const ACCOUNTS = ["'app'@'localhost'", "'rc'@'%'", "'tbl'@'localhost'"];

describe('grants.sql.gz', () => {
  it('keeps only the chosen accounts from mariadb-dump --system=users, CREATE USER first, without roles', () => {
    const s = selectAccountStatements(SYSTEM_USERS, new Set(ACCOUNTS));
    expect(s.map((x) => x.account)).not.toContain("'root'@'localhost'");
    expect(s.filter((x) => x.kind === 'create').map((x) => x.account)).toEqual(ACCOUNTS);
    expect(s.findIndex((x) => x.kind === 'grant')).toBe(3);
    expect(s.some((x) => x.sql.includes('`r1`'))).toBe(false);
    expect(s[0].sql).toBe("CREATE USER IF NOT EXISTS `app`@`localhost` IDENTIFIED BY PASSWORD '*B865CAE8F340F6CE1485A06F4492BB49718DF1EC'");
  });

  it('reads SHOW CREATE USER / SHOW GRANTS lines (no semicolons) the same way', () => {
    const show = [
      "CREATE USER `app`@`localhost` IDENTIFIED BY PASSWORD '*B865CAE8F340F6CE1485A06F4492BB49718DF1EC'",
      "GRANT USAGE ON *.* TO `app`@`localhost` IDENTIFIED BY PASSWORD '*B865CAE8F340F6CE1485A06F4492BB49718DF1EC'",
      'GRANT SELECT, INSERT ON `usermgmt`.* TO `app`@`localhost`',
    ];
    const fromShow = selectAccountStatements(show, new Set(["'app'@'localhost'"]));
    const fromDump = selectAccountStatements(SYSTEM_USERS, new Set(["'app'@'localhost'"]));
    expect(fromShow).toEqual(fromDump);
  });

  it('renders a file that parses back, ends with the dump trailer, and selects per database', () => {
    const text = renderGrants({ databases: ['usermgmt', 'roundcubemail'], source: 'test', at: new Date('2026-12-02T03:00:00Z') }, selectAccountStatements(SYSTEM_USERS, new Set(ACCOUNTS)));
    expect(text).toMatch(/FLUSH PRIVILEGES;\n-- Dump completed on 2026-12-02T03:00:00.000Z\n$/);
    const parsed = parseGrants(text);
    expect(parsed.problems).toEqual([]);
    expect(checkGrants(parsed, ACCOUNTS, ['usermgmt', 'roundcubemail'])).toEqual([]);
    const um = grantsFor(parsed.statements, 'usermgmt');
    expect(um.accounts.sort()).toEqual(["'app'@'localhost'", "'tbl'@'localhost'"]);
    expect(um.statements.every((s) => s.account !== "'rc'@'%'")).toBe(true);
    expect(grantsFor(parsed.statements, 'roundcubemail').accounts).toEqual(["'rc'@'%'"]);
  });

  it('the drill check names a foreign statement, a missing account and an unrecorded one', () => {
    const text = renderGrants({ databases: ['usermgmt'], source: 't', at: new Date() }, selectAccountStatements(SYSTEM_USERS, new Set(["'app'@'localhost'"]))).replace('FLUSH PRIVILEGES;', 'DROP DATABASE usermgmt;');
    const problems = checkGrants(parseGrants(text), ["'app'@'localhost'", "'gone'@'%'"], ['usermgmt']);
    expect(problems.join('\n')).toMatch(/not a CREATE USER or GRANT statement: DROP DATABASE/);
    expect(problems.join('\n')).toMatch(/'gone'@'%' has no CREATE USER/);
    expect(checkGrants(parseGrants(text.replace('DROP DATABASE usermgmt;', '')), [], ['usermgmt'])).toEqual(["accounts not in backup.json: 'app'@'localhost'"]);
  });
});
