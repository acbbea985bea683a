import { describe, expect, it } from 'vitest';
import { compareTables } from '../../../src/repository/dump-format.js';
import { comparisonLines, dbPlanLines, planDb } from '../../../src/restore/db-plan.js';

describe('restore db planning', () => {
  it('says whether the target is created or replaced, with the expected size', () => {
    const p = planDb({ source: '/d/usermgmt.sql.gz', snapshot: 'daily/2026-11-27', database: 'usermgmt', target: 'usermgmt', replace: true }, { users: 3, domains: 2 });
    expect(p).toMatchObject({ expectedTables: 2, expectedRows: 5 });
    expect(dbPlanLines(p).join('\n')).toMatch(/safety dump/);
    const n = planDb({ source: 'x', snapshot: 's', database: 'a', target: 'a_check', replace: false }, undefined);
    expect(dbPlanLines(n).join('\n')).toMatch(/created and loaded; nothing live changes/);
    const g = planDb({ source: 'x', snapshot: 's', database: 'usermgmt', target: 'usermgmt', replace: false, accounts: ["'app'@'localhost'"] }, undefined);
    expect(dbPlanLines(g).join('\n')).toMatch(/accounts with a grant on usermgmt: 'app'@'localhost'/);
  });

  it('compares tables and row counts with backup.json', () => {
    expect(compareTables({ a: 1, b: 2 }, { a: 1, b: 2 }).ok).toBe(true);
    const c = compareTables({ a: 1, b: 2, c: 0 }, { a: 1, b: 5, d: 1 });
    expect(c).toEqual({ ok: false, missing: ['c'], extra: ['d'], differ: [{ table: 'b', expected: 2, found: 5 }] });
    expect(comparisonLines(c).join('\n')).toMatch(/MISSING table c[\s\S]*EXTRA table d[\s\S]*b: 5 rows, backup.json says 2/);
  });
});
