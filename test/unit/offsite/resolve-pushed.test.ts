/**
 * An offsite SNAPSHOT argument goes through the same parser as a local one (repository/layout.ts):
 * a date that does not exist is refused before restic's list is searched.
 */
import { describe, expect, it } from 'vitest';
import { resolvePushed } from '../../../src/offsite/plan.js';
import type { ResticSnapshot } from '../../../src/tools/restic.js';

const pushed: ResticSnapshot[] = [
  { id: 'aaaa1111', short_id: 'aaaa1111', time: '2026-02-28T03:10:00Z', hostname: 'mx', tags: ['mailbackup', 'daily/2026-02-28'], paths: ['/x'] },
  { id: 'bbbb2222', short_id: 'bbbb2222', time: '2026-03-01T03:10:00Z', hostname: 'mx', tags: ['mailbackup', 'weekly/2026-03-01'], paths: ['/x'] },
];

describe('offsite SNAPSHOT argument', () => {
  it('a date that does not exist (2026-02-30) is refused as a spec, not searched for', () => {
    expect(() => resolvePushed(pushed, '2026-02-30', 'r')).toThrow(/snapshot "2026-02-30" is not latest, YYYY-MM-DD/);
    expect(() => resolvePushed(pushed, 'weekly/2026-02-30', 'r')).toThrow(/is not latest/);
    expect(() => resolvePushed(pushed, 'monthly/2026-02-28', 'r')).toThrow(/is not latest/);
  });
  it('a real date finds the daily copy, else the weekly one', () => {
    expect(resolvePushed(pushed, '2026-02-28', 'r').id).toBe('aaaa1111');
    expect(resolvePushed(pushed, '2026-03-01', 'r').mailbackupId).toBe('weekly/2026-03-01');
  });
});
