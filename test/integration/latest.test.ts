/**
 * Invariant 2 (docs/invariants.md): `latest` is replaced atomically. A second process reads the
 * link in a tight loop while this one moves it back and forth; a reader must never find it
 * missing or pointing anywhere but one of the two snapshots.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { setLatest } from '../../src/repository/snapshots.js';
import { waitFor } from '../helpers/wait.js';
import { makeDestination, removeDestination } from '../helpers/snapshot-builder.js';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) removeDestination(r);
});

const READER = `
const fs = require('node:fs');
const [link, stop, looping] = process.argv.slice(1);
const seen = {};
let reads = 0;
while (!fs.existsSync(stop)) {
  let v;
  try { v = fs.readlinkSync(link); } catch (e) { v = e.code; }
  seen[v] = (seen[v] || 0) + 1;
  if (++reads === 1) fs.writeFileSync(looping, ''); // the test starts moving the link only now
}
process.stdout.write(JSON.stringify({ reads, seen }));
`;

describe('latest', () => {
  it('is never missing or half-made for a reader while it is moved 2,000 times', async () => {
    const root = makeDestination('mb-latest-');
    roots.push(root);
    for (const d of ['2026-03-01', '2026-03-02']) mkdirSync(join(root, 'daily', d), { recursive: true });
    setLatest(root, { kind: 'daily', date: '2026-03-01' });
    const stop = join(root, 'stop');
    const looping = join(root, 'reader-looping');
    const reader = spawn(process.execPath, ['-e', READER, join(root, 'latest'), stop, looping], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    reader.stdout.on('data', (b) => (out += b));
    const done = new Promise<void>((resolve) => reader.on('close', () => resolve()));
    try {
      await waitFor(() => existsSync(looping) || reader.exitCode !== null, { what: 'the reader\'s first read' });
      for (let i = 0; i < 2000; i++) setLatest(root, { kind: 'daily', date: i % 2 ? '2026-03-01' : '2026-03-02' });
    } finally {
      mkdirSync(stop);
      await done;
    }
    const { reads, seen } = JSON.parse(out) as { reads: number; seen: Record<string, number> };
    expect(reads).toBeGreaterThan(2000);
    expect(Object.keys(seen).sort()).toEqual(['daily/2026-03-01', 'daily/2026-03-02']);
    expect(readlinkSync(join(root, 'latest'))).toBe('daily/2026-03-01');
  });
});
