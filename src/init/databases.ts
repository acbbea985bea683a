/**
 * What `init` says about the databases: the checklist line, and for a config that already
 * exists, the lines it lacks now that the server can be asked (a `databases: []` written while
 * the credentials were wrong would otherwise leave the P0 data out of every snapshot, silently).
 */
import type { Config } from '../config/schema.js';
import { isApplicationDatabase } from '../repository/dump-format.js';
import { dbAccess } from '../datasource/mariadb/index.js';
import { listDatabases } from '../tools/mariadb.js';
import type { Check } from './checks.js';

/** Lines to put into an existing config, and why; printed, never written by init itself. */
export interface ConfigAddition {
  what: string;
  lines: string[];
}

export function databasesCheck(d: Config['database'], present: string[], user: string): Check {
  if (!d.enabled) {
    return { status: 'warn', what: 'database.enabled is false', detail: 'no database is backed up; the requirements class the databases as P0' };
  }
  const apps = present.filter(isApplicationDatabase);
  if (d.databases === 'all') {
    return apps.length
      ? { status: 'ok', what: `databases: all — the server lists ${apps.join(', ')} (answering as ${user})` }
      : { status: 'warn', what: 'databases: all, but the server lists no application database', detail: 'every backup would warn that it dumped nothing' };
  }
  const missing = d.databases.filter((n) => !present.includes(n));
  if (d.databases.length === 0) return { status: 'warn', what: 'database.databases is empty', detail: 'no database would be backed up: set it to all' };
  if (missing.length) return { status: 'fail', what: `databases not found: ${missing.join(', ')}`, detail: 'fix database.databases (or set it to all)' };
  return { status: 'ok', what: `databases ${d.databases.join(', ')} answer as ${user}` };
}

/** For an existing config: the server has application databases the config does not dump. */
function databaseAdditions(d: Config['database'], present: string[]): ConfigAddition[] {
  if (!d.enabled || d.databases === 'all') return [];
  const left = present.filter(isApplicationDatabase).filter((n) => !d.databases.includes(n));
  if (left.length === 0) return [];
  const now = d.databases.length ? `names only ${d.databases.join(', ')}` : 'is empty';
  return [
    {
      what: `the server has ${left.join(', ')}, but database.databases ${now}`,
      lines: ['database:', `  databases: all   # the server lists ${present.filter(isApplicationDatabase).join(', ')}; or add ${left.join(', ')} to the list`],
    },
  ];
}

export function formatAdditions(file: string, additions: ConfigAddition[]): string[] {
  if (additions.length === 0) return [];
  return [
    `the existing config ${file} lacks what init can now discover (it was kept: edit it, or rerun with --force):`,
    ...additions.flatMap((a) => [`  # ${a.what}`, ...a.lines.map((l) => `  ${l}`)]),
  ];
}

/**
 * Everything an existing config lacks that init can discover now. The databases are asked of
 * the server; other discoveries (the Dovecot mail layout) add theirs to this list.
 */
export async function existingConfigAdditions(config: Config): Promise<ConfigAddition[]> {
  const d = config.database;
  let present: string[] = [];
  try {
    present = await listDatabases(dbAccess(config));
  } catch {
    /* the checklist's database lines say why */
  }
  return [...databaseAdditions(d, present)];
}
