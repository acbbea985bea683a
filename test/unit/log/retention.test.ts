import { describe, expect, it } from 'vitest';
import { expiredLogs } from '../../../src/log/retention.js';

describe('expiredLogs', () => {
  it('expires log files by the date in their name', () => {
    const names = ['mailbackup-2026-10-28.log', 'mailbackup-2026-10-29.log', 'mailbackup-2026-11-28.log', 'other.log', 'mailbackup-2026-02-30.log'];
    expect(expiredLogs(names, 30, new Date('2026-11-28T12:00:00Z'))).toEqual(['mailbackup-2026-10-28.log']);
  });
});
