/** When the guard calls the destination gone or failing: identity, read-only, a new ext4 error. */
import type { Stats } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { faultNow } from '../../../src/repository/guard.js';

const st = (dev: number, ino: number) => ({ dev, ino }) as Stats;
const mount = { devNo: '7:0', mountPoint: '/mnt', fsType: 'ext4', source: '/dev/loop0', options: [] };
const start = { root: st(7, 2), marker: st(7, 12), health: { mount, readOnly: false, errorCount: 0 } };

describe('faultNow', () => {
  it('is quiet while root and marker are the same inodes on a healthy disk', () => {
    expect(faultNow('/mnt/m', start, { root: st(7, 2), marker: st(7, 12), health: { mount, readOnly: false, errorCount: 0 } })).toBeUndefined();
  });
  it('calls the destination gone when the root is another directory (the bare mount point) or missing', () => {
    expect(faultNow('/mnt/m', start, { root: st(1, 2), marker: st(1, 12), health: { readOnly: false } })).toMatch(/went away/);
    expect(faultNow('/mnt/m', start, { root: undefined, marker: undefined, health: { readOnly: false } })).toMatch(/went away/);
    expect(faultNow('/mnt/m', start, { root: st(7, 2), marker: st(7, 99), health: { readOnly: false } })).toMatch(/went away/);
  });
  it('calls a disk that turned read-only or recorded an error a fault, naming the device', () => {
    expect(faultNow('/mnt/m', start, { root: st(7, 2), marker: st(7, 12), health: { mount, readOnly: true, errorCount: 1 } })).toMatch(/\/dev\/loop0 turned read-only/);
    expect(faultNow('/mnt/m', start, { root: st(7, 2), marker: st(7, 12), health: { mount, readOnly: false, errorCount: 1 } })).toMatch(/\/dev\/loop0 recorded an error/);
  });
  it('does not blame the run for errors recorded before it started', () => {
    const old = { ...start, health: { mount, readOnly: false, errorCount: 3 } };
    expect(faultNow('/mnt/m', old, { root: st(7, 2), marker: st(7, 12), health: { mount, readOnly: false, errorCount: 3 } })).toBeUndefined();
  });
});
