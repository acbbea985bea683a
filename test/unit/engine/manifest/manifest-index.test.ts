import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareBytes, formatIndexLine, INDEX_HEADER, type IndexEntry } from '../../../../src/repository/manifest-format.js';
import { readComponentIndexSync } from '../../../../src/engine/manifest/manifest-index.js';
import { seekLineSync } from '../../../../src/repository/read-records.js';

const dir = mkdtempSync(join(tmpdir(), 'engine-mi-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const entry = (path: string, i: number): IndexEntry => ({ path, ino: i, size: i * 7, mtimeMs: 1e12 + i, mode: 0o100600, uid: 5000, gid: 5000, sha256: i.toString(16).padStart(64, '0'), isNew: i % 2 === 0 });

// components in byte order, with names that sort around them and need escaping
function writeIndex(snap: string, counts: Record<string, number>): string[] {
  const paths: string[] = [];
  for (const [c, n] of Object.entries(counts)) {
    for (let i = 0; i < n; i++) paths.push(`${c}/d${i % 13}/${i % 5 === 0 ? 'tab\there\\' : 'm'}${i}`);
  }
  paths.push('mai', 'mail0/x', 'mailx'); // neighbours of mail/ that are not in it
  paths.sort(compareBytes);
  writeFileSync(join(snap, 'manifest.index'), INDEX_HEADER + paths.map((p, i) => formatIndexLine(entry(p, i))).join(''));
  return paths;
}

describe('readComponentIndexSync', () => {
  const snap = mkdtempSync(join(dir, 'snap-'));
  const paths = writeIndex(snap, { config: 300, dkim: 5, logs: 0, mail: 60_000, ssl: 900 });

  it.each(['config', 'dkim', 'logs', 'mail', 'ssl', 'zzz', 'aaa'])('yields exactly the lines of %s, in order, found by bisecting', (c) => {
    const got = [...readComponentIndexSync(snap, c)].map((e) => `${c}/${e.path}`);
    expect(got).toEqual(paths.filter((p) => p.startsWith(`${c}/`)));
  });

  it('starts near the component instead of at the top of the file', () => {
    const file = join(snap, 'manifest.index');
    const offset = seekLineSync(file, 'ssl/');
    expect(offset).toBeGreaterThan(5_000_000); // past the 60,000 lines of mail/
  });
});
