/**
 * Pure parts of `restore db`: what it will do, and whether the loaded database matches what
 * backup.json recorded at dump time (the comparison itself: repository/dump-format.ts).
 */
import { sumRows, type CountComparison } from '../repository/dump-format.js';

export interface DbPlan {
  source: string;
  snapshot: string;
  database: string;
  target: string;
  /** the target exists: replace it, after a safety dump */
  replace: boolean;
  expectedTables: number;
  expectedRows: number;
  /** --with-grants: the accounts with a grant on the database, from mysql/grants.sql.gz */
  accounts?: string[];
}

export function planDb(p: Omit<DbPlan, 'expectedTables' | 'expectedRows'>, tables: Record<string, number> | undefined): DbPlan {
  return { ...p, expectedTables: Object.keys(tables ?? {}).length, expectedRows: sumRows(tables) };
}

export function dbPlanLines(p: DbPlan): string[] {
  const lines = [`restore db ${p.database} from ${p.snapshot} → database ${p.target}`];
  lines.push(`  dump: ${p.source}`);
  lines.push(`  expected: ${p.expectedTables} table(s), ${p.expectedRows} row(s) (from backup.json)`);
  if (p.replace) {
    lines.push(`  database ${p.target} exists: a safety dump goes to safety/ first, then it is dropped and loaded from the snapshot`);
  } else {
    lines.push(`  database ${p.target} does not exist: it is created and loaded; nothing live changes`);
  }
  if (p.accounts) {
    lines.push(
      p.accounts.length
        ? `  then the accounts with a grant on ${p.database}: ${p.accounts.join(', ')} (created if missing, password as the server stored it; then their grants)`
        : `  grants.sql.gz holds no account with a grant on ${p.database}: no account is loaded`,
    );
  }
  return lines;
}

export function comparisonLines(c: CountComparison): string[] {
  if (c.ok) return ['  tables and row counts match backup.json'];
  return [
    ...c.missing.map((t) => `  MISSING table ${t}`),
    ...c.extra.map((t) => `  EXTRA table ${t} (not in the dump)`),
    ...c.differ.map((d) => `  table ${d.table}: ${d.found} rows, backup.json says ${d.expected}`),
  ];
}
