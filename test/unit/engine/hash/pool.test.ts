import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { createHashPool, sha256File, HASH_CHUNK } from '../../../../src/engine/hash/pool.js';

const dir = mkdtempSync(join(tmpdir(), 'engine-hash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sha256sum(path: string): string {
  return execFileSync('sha256sum', [path], { encoding: 'utf8' }).split(' ')[0];
}

describe('hash pool', () => {
  it('agrees with sha256sum on empty, small, chunk-sized and multi-chunk files', async () => {
    const sizes = [0, 1, 4096, HASH_CHUNK - 1, HASH_CHUNK, HASH_CHUNK + 1, 2 * HASH_CHUNK, 3 * HASH_CHUNK + 17];
    const paths = sizes.map((n, i) => {
      const p = join(dir, `f${i}`);
      const b = Buffer.alloc(n);
      for (let j = 0; j < n; j++) b[j] = (j * 31 + i) & 0xff;
      writeFileSync(p, b);
      return p;
    });
    const pool = createHashPool({ threads: 2 });
    try {
      const got = await Promise.all(paths.map((p) => pool.hashFile(p)));
      expect(got).toEqual(paths.map(sha256sum));
      expect(await Promise.all(paths.map((p) => sha256File(p)))).toEqual(paths.map(sha256sum));
    } finally {
      await pool.close();
    }
  });

  it('hashes many files concurrently, each to its own result', async () => {
    const paths = Array.from({ length: 300 }, (_, i) => {
      const p = join(dir, `m${i}`);
      writeFileSync(p, `message ${i}\n`);
      return p;
    });
    const pool = createHashPool();
    try {
      const got = await Promise.all(paths.map((p) => pool.hashFile(p)));
      expect(got[0]).toBe(sha256sum(paths[0]));
      expect(got[299]).toBe(sha256sum(paths[299]));
      expect(new Set(got).size).toBe(300);
    } finally {
      await pool.close();
    }
  });

  it('rejects a missing file with its error code and keeps working', async () => {
    const pool = createHashPool({ threads: 1 });
    try {
      await expect(pool.hashFile(join(dir, 'nope'))).rejects.toMatchObject({ code: 'ENOENT' });
      const p = join(dir, 'after');
      writeFileSync(p, 'x');
      expect(await pool.hashFile(p)).toBe(sha256sum(p));
    } finally {
      await pool.close();
    }
  });

  it('hashFileStat returns the identity and attributes of the inode it read (the index entry of a copied file)', async () => {
    const pool = createHashPool({ threads: 1 });
    try {
      const p = join(dir, 'stat');
      writeFileSync(p, 'hello\n');
      const st = statSync(p);
      expect(await pool.hashFileStat(p)).toEqual({ hex: sha256sum(p), ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, mode: st.mode, uid: st.uid, gid: st.gid });
      await expect(pool.hashFileStat(join(dir, 'nope'))).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await pool.close();
    }
  });
  it('hashMany answers in order across chunks and workers: hash and fstat per file, undefined for a missing one', async () => {
    const paths = Array.from({ length: 150 }, (_, i) => {
      const p = join(dir, `many${i}`);
      writeFileSync(p, 'x'.repeat(i));
      return p;
    });
    paths[70] = join(dir, 'gone-before-hashing');
    const pool = createHashPool({ threads: 2 });
    try {
      const got = await pool.hashMany(paths);
      expect(got).toHaveLength(150);
      expect(got[70]).toBeUndefined();
      for (const i of [0, 1, 63, 64, 65, 149]) {
        const st = statSync(paths[i]);
        expect(got[i]).toEqual({ hex: sha256sum(paths[i]), ino: st.ino, size: i, mtimeMs: st.mtimeMs, mode: st.mode, uid: st.uid, gid: st.gid });
      }
      // not a missing file but one that cannot be read: the whole call fails, naming it
      await expect(pool.hashMany([paths[0], dir])).rejects.toMatchObject({ code: 'EISDIR', message: expect.stringContaining(dir) });
      expect(await pool.hashFile(paths[3])).toBe(sha256sum(paths[3]));
    } finally {
      await pool.close();
    }
  });
});

describe('hash pool under a steady stream', () => {
  it('settles every one of 30,000 hashes requested with at most 64 in flight (the drill and verify pattern)', async () => {
    const paths = Array.from({ length: 500 }, (_, i) => {
      const p = join(dir, `s${i}`);
      writeFileSync(p, `stream ${i}\n`);
      return p;
    });
    const pool = createHashPool({ threads: 2 });
    const inFlight = new Set<Promise<void>>();
    let settled = 0;
    try {
      for (let n = 0; n < 30_000; n++) {
        while (inFlight.size >= 64) await Promise.race(inFlight);
        const p: Promise<void> = pool.hashFile(paths[n % paths.length]).then(() => void settled++).finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      await Promise.all(inFlight);
    } finally {
      await pool.close();
    }
    expect(settled).toBe(30_000);
  }, 60_000);
});
