import { describe, expect, it } from 'vitest';
import { filesAndBytes, formatClock, formatCount, formatDuration } from '../../../src/log/units.js';

const GiB = 1024 ** 3;

describe('units', () => {
  it('numbers for people', () => {
    expect(formatCount(100101)).toBe('100,101');
    expect(filesAndBytes(100101, 2.3 * GiB)).toBe('100,101 files, 2.3 GiB');
    expect(formatDuration(15_100)).toBe('15.1 s');
    expect(formatDuration(754_000)).toBe('12 min 34 s');
    expect(formatClock(3723)).toBe('1:02:03');
  });
});
