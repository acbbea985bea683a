/**
 * Pure parts of `restore db`: what it will do, and whether the loaded database matches what
 * backup.json recorded at dump time.
 */
export interface DbPlan {
  source: string;
  snapshot: string;
  database: string;
  target: string;
  /** the target exists: replace it, after a safety dump */
  replace: boolean;
  expectedTables: number;
  expectedRows: number;
}

export function planDb(p: Omit<DbPlan, 'expectedTables' | 'expectedRows'>, tables: Record<string, number> | undefined): DbPlan {
  const counts = Object.values(tables ?? {});
  return { ...p, expectedTables: counts.length, expectedRows: counts.reduce((a, b) => a + b, 0) };
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
  return lines;
}

export interface CountComparison {
  ok: boolean;
  missing: string[];
  extra: string[];
  differ: { table: string; expected: number; found: number }[];
}

export function compareCounts(expected: Record<string, number>, found: Record<string, number>): CountComparison {
  const missing = Object.keys(expected).filter((t) => !(t in found)).sort();
  const extra = Object.keys(found).filter((t) => !(t in expected)).sort();
  const differ = Object.keys(expected)
    .filter((t) => t in found && found[t] !== expected[t])
    .sort()
    .map((table) => ({ table, expected: expected[table], found: found[table] }));
  return { ok: !missing.length && !extra.length && !differ.length, missing, extra, differ };
}

export function comparisonLines(c: CountComparison): string[] {
  if (c.ok) return ['  tables and row counts match backup.json'];
  return [
    ...c.missing.map((t) => `  MISSING table ${t}`),
    ...c.extra.map((t) => `  EXTRA table ${t} (not in the dump)`),
    ...c.differ.map((d) => `  table ${d.table}: ${d.found} rows, backup.json says ${d.expected}`),
  ];
}

/**
 * A dump made with --databases carries CREATE DATABASE / USE lines that would load it into
 * the original database whatever --as says. Our dumps never do; refuse one that does.
 */
export function switchesDatabase(head: string): string | undefined {
  return /^(USE\s+`[^`]+`|CREATE DATABASE\b[^;]*);/im.exec(head)?.[1];
}
