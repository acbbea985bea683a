/**
 * The read-back before promotion reads what the disk holds, not what the page cache holds
 * (issue 29): a block changed underneath ext4 (in its image file, so the filesystem's cache still
 * has the old bytes) is seen by sha256Direct and reported by readBack.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBack } from '../../src/backup/readback.js';
import { formatIndexLine, INDEX_HEADER } from '../../src/repository/manifest-format.js';
import { sha256Direct } from '../../src/verify/direct-read.js';
import { mountLoopExt4, type Mounted } from '../helpers/mount.js';

const MiB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Overwrites the first bytes of `file`'s first block in the image, past the filesystem and its cache. */
function corruptUnderneath(disk: Mounted, file: string): void {
  execFileSync('sync', ['-f', file]);
  const out = execFileSync('filefrag', ['-v', file], { encoding: 'utf8' }); // in the filesystem's blocks
  const blockSize = Number(execFileSync('stat', ['-f', '-c', '%S', file], { encoding: 'utf8' }));
  const m = /^\s*0:\s+0\.\.\s*\d+:\s+(\d+)\.\./m.exec(out);
  if (!m) throw new Error(`no extent in filefrag output: ${out}`);
  const fd = openSync(disk.image!, 'r+');
  try {
    writeSync(fd, Buffer.from('CORRUPTED BY THE DISK'), 0, 21, Number(m[1]) * blockSize);
    fsyncSync(fd); // the loop device may read its image with direct I/O
  } finally {
    closeSync(fd);
  }
}

describe('reading back from the disk', () => {
  let disk: Mounted;
  beforeAll(async () => {
    disk = await mountLoopExt4(64);
  });
  afterAll(async () => {
    await disk?.cleanup();
  });

  it('hashes every size as sha256sum does, an empty file first (it accepts any buffer)', () => {
    const sizes = [0, 1, 511, 512, 4096, MiB - 1, MiB, MiB + 1, 3 * MiB + 17];
    for (const size of sizes) {
      const p = join(disk.dir, `f${size}`);
      const data = randomBytes(size);
      writeFileSync(p, data);
      const r = sha256Direct(p);
      expect(r, `size ${size}`).toEqual({ sha256: sha(data), size, direct: true });
    }
  });

  it('sees a block changed on the device while the page cache still holds the old bytes', () => {
    const p = join(disk.dir, 'message');
    const data = randomBytes(64 * 1024);
    writeFileSync(p, data);
    corruptUnderneath(disk, p);
    expect(sha(readFileSync(p))).toBe(sha(data)); // the cache: nothing to see
    expect(sha256Direct(p).sha256).not.toBe(sha(data));
  });

  it('readBack reports a new file the disk returns differently, and reads shared ones not at all', () => {
    const snap = join(disk.dir, 'daily', '2026-11-02.partial');
    mkdirSync(join(snap, 'mail'), { recursive: true });
    const good = randomBytes(8192);
    const bad = randomBytes(8192);
    writeFileSync(join(snap, 'mail', 'a'), good);
    writeFileSync(join(snap, 'mail', 'b'), bad);
    writeFileSync(join(snap, 'mail', 'old'), 'shared with the snapshot before: not read');
    const line = (path: string, b: Buffer, isNew: boolean) => formatIndexLine({ path, ino: 1, size: b.length, mtimeMs: 0, mode: 0o600, uid: 0, gid: 0, sha256: sha(b), isNew });
    const oldLine = formatIndexLine({ path: 'mail/old', ino: 1, size: 1, mtimeMs: 0, mode: 0o600, uid: 0, gid: 0, sha256: '0'.repeat(64), isNew: false });
    writeFileSync(join(snap, 'manifest.index'), INDEX_HEADER + line('mail/a', good, true) + line('mail/b', bad, true) + oldLine);
    expect(readBack(snap)).toMatchObject({ newFiles: 2, files: 2, problems: [], direct: true });

    corruptUnderneath(disk, join(snap, 'mail', 'b'));
    const r = readBack(snap);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatch(/^mail\/b: the disk returned 8192 bytes with sha256 [0-9a-f]{64}, the run wrote 8192 bytes/);
  });
});
