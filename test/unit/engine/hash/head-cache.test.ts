import { describe, it, expect, afterAll } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHashPool, HASH_CHUNK } from '../../../../src/engine/hash/pool.js';
import { HeadCache } from '../../../../src/engine/hash/head-cache.js';

const dir = mkdtempSync(join(tmpdir(), 'engine-heads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const message = (subject: string, body = 'hello\r\n') => `From: a@example.com\r\nSubject: ${subject}\r\n\r\n${body}`;

function plant(): { small: string[]; big: string; notMessage: string } {
  mkdirSync(join(dir, 'Maildir/cur'), { recursive: true });
  const small = ['1.M1:2,S', '2.M2:2,', '3.M3:2,RS'].map((n, i) => {
    const p = join(dir, 'Maildir/cur', n);
    writeFileSync(p, message(`subject ${i}`));
    return p;
  });
  const big = join(dir, 'Maildir/cur', '4.M4:2,');
  writeFileSync(big, message('a large attachment', 'x'.repeat(HASH_CHUNK + 10)));
  const notMessage = join(dir, 'Maildir/dovecot-uidlist');
  writeFileSync(notMessage, message('not a message file'));
  return { small, big, notMessage };
}

describe('header blocks from the read that hashed (head-cache.ts)', () => {
  it('hands out the same blocks a separate read gives, each once, without reading the kept ones again', async () => {
    const { small, big, notMessage } = plant();
    const all = [...small, big, notMessage];
    const reading = createHashPool({ threads: 2 });
    const hashing = createHashPool({ threads: 2 });
    try {
      const expected = await reading.headMany(all);
      expect(expected[0]).toMatch(/^From: a@example\.com\r\nSubject: subject 0\r?\n?$/); // the block, not the body
      await hashing.hashMany(all, { keepHeads: true });
      // the small messages were kept; the large one (more than one read) and the uidlist were not
      expect(hashing.headStats()).toEqual({ kept: 3, taken: 0 });
      expect(await hashing.headMany(all)).toEqual(expected);
      expect(hashing.headStats()).toEqual({ kept: 3, taken: 3 });
      // taken once: asked again, they are read from the files, with the same result
      expect(await hashing.headMany(small)).toEqual(expected.slice(0, 3));
      expect(hashing.headStats().taken).toBe(3);
    } finally {
      await reading.close();
      await hashing.close();
    }
  });

  it('keeps nothing without keepHeads', async () => {
    const { small } = plant();
    const pool = createHashPool({ threads: 1 });
    try {
      await pool.hashMany(small);
      expect(pool.headStats().kept).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('stops keeping once its bytes are used up', () => {
    const cache = new HeadCache(10);
    cache.keep('/a', '12345678');
    expect(cache.open).toBe(true);
    cache.keep('/b', '12345');
    expect(cache.open).toBe(false);
    cache.keep('/c', '1');
    expect([cache.take('/a'), cache.take('/b'), cache.take('/c')]).toEqual(['12345678', '12345', undefined]);
    expect(cache.open).toBe(true);
  });
});
