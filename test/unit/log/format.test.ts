import { describe, expect, it } from 'vitest';
import { formatRecord } from '../../../src/log/format.js';

describe('readable log lines', () => {
  it('terminal: the sentence only; warnings add their reason; no null or object fields', () => {
    expect(formatRecord({ level: 30, msg: 'backup daily/2026-10-01 started, a first full copy', basedOn: null, snapshot: 'x' }, false)).toBe('backup daily/2026-10-01 started, a first full copy');
    expect(formatRecord({ level: 40, msg: 'ping failed', err: 'HTTP 503', target: { a: 1 } }, false)).toBe('warning: ping failed: HTTP 503');
    expect(formatRecord({ level: 20, msg: 'spawn', file: 'rsync', args: ['-a'], x: null }, false)).toBe('debug: spawn file=rsync');
  });
  it('with time (cron, backup.log): a level column', () => {
    expect(formatRecord({ level: 50, time: Date.UTC(2026, 9, 1, 3, 0, 5), msg: 'mail failed', err: 'disk full' })).toBe('2026-10-01 03:00:05 ERROR mail failed: disk full');
  });
});
