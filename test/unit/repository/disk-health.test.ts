/** Reading the kernel's word on the destination's filesystem: mountinfo, device numbers, the problems said. */
import { describe, expect, it } from 'vitest';
import { devNumber, diskProblems, mountOf, parseMountinfo } from '../../../src/repository/disk-health.js';

const MOUNTINFO = [
  '22 1 253:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw',
  '49 22 7:0 / /mnt/backup\\040hdd rw,relatime shared:30 - ext4 /dev/loop0 rw,errors=remount-ro,emergency_ro',
  '50 22 0:45 / /mnt/backup\\040hdd/tmp rw - tmpfs tmpfs rw,size=1024k',
  '51 22 8:17 / /mnt/usb ro,relatime - ext4 /dev/sdb1 ro',
].join('\n');

describe('parseMountinfo', () => {
  it('reads device, mount point (unescaped), type, source and both option lists', () => {
    const m = parseMountinfo(MOUNTINFO);
    expect(m).toHaveLength(4);
    expect(m[1]).toEqual({ devNo: '7:0', mountPoint: '/mnt/backup hdd', fsType: 'ext4', source: '/dev/loop0', options: ['rw', 'relatime', 'rw', 'errors=remount-ro', 'emergency_ro'] });
  });

  it('finds the mount of a path by device and the longest mount point above it', () => {
    const m = parseMountinfo(MOUNTINFO);
    expect(mountOf(m, '/mnt/backup hdd/mailserver', '7:0')?.source).toBe('/dev/loop0');
    expect(mountOf(m, '/mnt/backup hdd/mailserver', '253:1')?.source).toBe('/dev/vda1'); // the disk went away: the root fs
    expect(mountOf(m, '/mnt/backup hddx', '7:0')).toBeUndefined();
  });
});

describe('devNumber', () => {
  it('splits st_dev as glibc does, large minors included', () => {
    expect(devNumber(0x0700)).toBe('7:0');
    expect(devNumber(0x0811)).toBe('8:17');
    expect(devNumber(0xfd01)).toBe('253:1');
    expect(devNumber(0x10300)).toBe('259:0'); // nvme: major 259
    expect(devNumber(0x100700)).toBe('7:256'); // loop256: minor above 255
  });
});

describe('diskProblems', () => {
  const mount = parseMountinfo(MOUNTINFO)[1];
  it('says read-only (after an error), the error count, and what to run', () => {
    const p = diskProblems({ mount, readOnly: true, errorCount: 2 }, '/mnt/backup hdd/mailserver');
    expect(p).toHaveLength(2);
    expect(p[0]).toMatch(/read-only .*\/dev\/loop0, remounted read-only after a filesystem error/);
    expect(p[0]).toMatch(/e2fsck -f \/dev\/loop0/);
    expect(p[1]).toMatch(/recorded 2 error\(s\)/);
  });
  it('is empty for a healthy disk', () => {
    expect(diskProblems({ mount, readOnly: false, errorCount: 0 }, '/x')).toEqual([]);
  });
});
