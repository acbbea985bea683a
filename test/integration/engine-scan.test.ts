/**
 * The scan (src/engine/scan/scan.ts) against a plain recursive walk of the same tree: every entry once,
 * in the manifest's byte order, with the lstat the walk sees, while listings are read ahead on the
 * file system pool's threads; excludes and the entries form filter as rsync would.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanSource, type ScanEntry } from '../../src/engine/scan/scan.js';
import { createFsPool } from '../../src/engine/scan/fs-pool.js';
import { compareBytes } from '../../src/repository/manifest-format.js';
import { compileExcludes } from '../../src/engine/scan/exclude-match.js';

const dir = mkdtempSync(join(tmpdir(), 'engine-scan-'));
const pool = createFsPool();
afterAll(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

function reference(root: string, rel = ''): { path: string; kind: string }[] {
  const out: { path: string; kind: string; key: string }[] = [];
  for (const name of readdirSync(join(root, rel))) {
    const path = rel ? `${rel}/${name}` : name;
    const st = lstatSync(join(root, path));
    out.push({ path, kind: st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'symlink', key: st.isDirectory() ? `${path}/` : path });
  }
  out.sort((a, b) => compareBytes(a.key, b.key));
  return out.flatMap((e) => [{ path: e.path, kind: e.kind }, ...(e.kind === 'dir' ? reference(root, e.path) : [])]);
}

async function scan(root: string, o: Partial<Parameters<typeof scanSource>[1]> = {}): Promise<ScanEntry[]> {
  const all: ScanEntry[] = [];
  for await (const batch of scanSource(root, { pool, ...o })) all.push(...batch);
  return all;
}

const root = join(dir, 'tree');
// names around `/` in byte order, non-ASCII and astral names, a folder larger than one batch,
// and more directories than the read-ahead keeps in flight
for (const d of ['a', 'a/b', 'a-b', 'a0', 'é', '😀', 'big/cur']) mkdirSync(join(root, d), { recursive: true });
for (const f of ['a.txt', 'a/b/z', 'a/c', 'a-b/1', 'a0/x', 'ab', 'é/ü', '😀/\uFF21']) writeFileSync(join(root, f), f);
for (let i = 0; i < 1500; i++) writeFileSync(join(root, 'big/cur', `${i}.M${i}P1.host,S=3:2,S`), 'abc');
for (let i = 0; i < 40; i++) {
  mkdirSync(join(root, `u${i}`, '.Sent', 'cur'), { recursive: true });
  writeFileSync(join(root, `u${i}`, '.Sent', 'cur', 'm'), String(i).repeat(i + 1));
}
symlinkSync('a.txt', join(root, 'link'));

describe('scanSource', () => {
  it('yields every entry once, in byte order, with the lstat of a plain walk', async () => {
    const got = await scan(root);
    expect(got.map((e) => ({ path: e.path, kind: e.kind }))).toEqual(reference(root));
    for (const e of got) {
      const st = lstatSync(join(root, e.path));
      expect({ ino: e.ino, size: e.size, mtimeMs: e.mtimeMs, mode: e.mode, nlink: e.nlink }, e.path).toEqual({ ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, mode: st.mode, nlink: st.nlink });
      if (e.kind === 'dir') expect(e.listedAt, e.path).toBeGreaterThan(0);
    }
  });

  it('leaves out what the excludes match, and keeps only the configured entries in the -R form', async () => {
    const excluded = await scan(root, { exclude: compileExcludes(['big/', '*.txt']) });
    expect(excluded.some((e) => e.path.startsWith('big') || e.path.endsWith('.txt'))).toBe(false);
    expect(excluded.length).toBe(reference(root).filter((e) => !e.path.startsWith('big') && !e.path.endsWith('.txt')).length);
    const entries = await scan(root, { entries: ['a/b', 'u3'] });
    expect(entries.map((e) => e.path)).toEqual(['a', 'a/b', 'a/b/z', 'u3', 'u3/.Sent', 'u3/.Sent/cur', 'u3/.Sent/cur/m']);
  });

  it('counts a root that is gone as gone, and yields nothing', async () => {
    const gone: string[] = [];
    expect(await scan(join(dir, 'nope'), { onGone: (p) => gone.push(p) })).toEqual([]);
    expect(gone).toEqual(['']);
  });
});
