import { describe, expect, it } from 'vitest';
import { diskWarningFor } from '../../../src/notify/disk.js';

describe('diskWarningFor', () => {
  it('warns from the threshold on, as status does', () => {
    const u = (p: number) => ({ usedPercent: p, totalBytes: 100, freeBytes: 100 - p, usedBytes: p });
    expect(diskWarningFor('/d', u(79), 80)).toBeUndefined();
    expect(diskWarningFor('/d', u(80), 80)).toMatch(/^destination disk \/d is 80% full/);
  });
});
