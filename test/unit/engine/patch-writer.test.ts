import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PatchWriter } from '../../../src/engine/patch-writer.js';
import { readLinesSync } from '../../../src/engine/manifest-index.js';
import { writeFileSync } from 'node:fs';

const dir = mkdtempSync(join(tmpdir(), 'engine-pw-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('PatchWriter', () => {
  it('fills placeholders both in flushed data (pwrite) and in the buffer, across several MB', () => {
    const w = new PatchWriter(join(dir, 'm'));
    const at: number[] = [];
    const N = 40_000; // ~3.3 MB: several flushes
    for (let i = 0; i < N; i++) {
      at.push(w.position);
      w.write(`${'0'.repeat(64)}  mail/ü/${i}\n`);
      // patch an old line (long flushed) and the newest one (still buffered)
      if (i >= 100) w.patch(at[i - 100], String(i - 100).padStart(64, 'x'));
    }
    for (let i = N - 100; i < N; i++) w.patch(at[i], String(i).padStart(64, 'x'));
    w.finish();
    const lines = readFileSync(join(dir, 'm'), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(N);
    lines.forEach((l, i) => expect(l).toBe(`${String(i).padStart(64, 'x')}  mail/ü/${i}`));
    expect(statSync(join(dir, 'm')).mode & 0o777).toBe(0o600);
  });
});

describe('readLinesSync', () => {
  it('returns every line of a multi-MB file with multi-byte names intact', () => {
    const lines = Array.from({ length: 60_000 }, (_, i) => `${i}\tmail/.&ZeVnLIqe-/日本語-${i}\t😀`);
    writeFileSync(join(dir, 'lines'), lines.join('\n') + '\n');
    expect([...readLinesSync(join(dir, 'lines'))].filter((l) => l !== '')).toEqual(lines);
  });
});
