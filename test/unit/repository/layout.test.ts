/** The one parser of SNAPSHOT arguments and the one spelling of a dump's file name. */
import { describe, expect, it } from 'vitest';
import { dbOfDumpName, layout, parseSnapshotSpec } from '../../../src/repository/layout.js';

describe('parseSnapshotSpec', () => {
  it('takes latest, a date (daily, then weekly) or kind/date', () => {
    expect(parseSnapshotSpec('latest')).toBe('latest');
    expect(parseSnapshotSpec('2026-11-01')).toEqual({ date: '2026-11-01', kinds: ['daily', 'weekly'] });
    expect(parseSnapshotSpec('weekly/2026-11-01')).toEqual({ date: '2026-11-01', kinds: ['weekly'] });
  });
  it('refuses a date that does not exist and any other form', () => {
    for (const bad of ['2026-02-30', 'daily/2026-13-01', '2026-11-1', 'monthly/2026-11-01', 'daily/', ''])
      expect(() => parseSnapshotSpec(bad)).toThrow(/is not latest, YYYY-MM-DD, daily\/YYYY-MM-DD or weekly\/YYYY-MM-DD/);
  });
});

describe('dump names', () => {
  it('layout.dumpName and dbOfDumpName are each other’s inverse', () => {
    expect(layout.dumpName('shop')).toBe('mysql/shop.sql.gz');
    expect(layout.dump('/snap', 'shop')).toBe('/snap/mysql/shop.sql.gz');
    expect(dbOfDumpName('mysql/shop.sql.gz')).toBe('shop');
    expect(dbOfDumpName('shop.sql.gz')).toBe('shop');
    expect(dbOfDumpName('shop.sql')).toBeUndefined();
    expect(dbOfDumpName('mysql/x/shop.sql.gz')).toBeUndefined();
  });
});
