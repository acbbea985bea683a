import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { createVerifyPool } from '../../../src/verify/batch-pool.js';
import { HASH_CHUNK } from '../../../src/engine/hash/pool.js';

const dir = mkdtempSync(join(tmpdir(), 'verify-pool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha256sum = (path: string) => execFileSync('sha256sum', [path], { encoding: 'utf8' }).split(' ')[0];

// The worker stops at a short read once fstat's size is reached (engine/hash/worker-code.ts HASH_FD_SOURCE):
// sizes around the read size are where an off-by-one would drop or repeat bytes.
const SIZES = [0, 1, 4095, HASH_CHUNK - 1, HASH_CHUNK, HASH_CHUNK + 1, 2 * HASH_CHUNK, 3 * HASH_CHUNK + 17];

function writeFiles(): string[] {
  return SIZES.map((n, i) => {
    const p = join(dir, `f${i}`);
    const b = Buffer.alloc(n);
    for (let j = 0; j < n; j++) b[j] = (j * 131 + i * 7) & 0xff;
    writeFileSync(p, b);
    return p;
  });
}

describe('verify worker pool', () => {
  it('hash and hashStat agree with sha256sum around the read size, with the size and inode of what was read', async () => {
    const paths = writeFiles();
    const pool = createVerifyPool({ threads: 2 });
    try {
      const hashed = await pool.hash(paths);
      const withStat = await pool.hashStat(paths);
      const want = paths.map(sha256sum);
      expect(hashed.map((h) => h.sha256)).toEqual(want);
      expect(withStat.map((h) => h.sha256)).toEqual(want);
      paths.forEach((p, i) => {
        const st = statSync(p);
        expect(withStat[i]).toMatchObject({ size: SIZES[i], inode: `${st.dev}:${st.ino}`, nlink: 1 });
      });
    } finally {
      await pool.close();
    }
  });

  it('reports a missing file by its code and goes on with the rest of the batch', async () => {
    const [first] = writeFiles();
    const pool = createVerifyPool({ threads: 1 });
    try {
      const out = await pool.hashStat([join(dir, 'gone'), first]);
      expect(out[0]).toMatchObject({ code: 'ENOENT' });
      expect(out[0].sha256).toBeUndefined();
      expect(out[1].sha256).toBe(sha256sum(first));
    } finally {
      await pool.close();
    }
  });
});
