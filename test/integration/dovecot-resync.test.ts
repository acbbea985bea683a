/** restore/dovecot-resync.ts: restored folders look changed to Dovecot; the messages keep their times. */
import { describe, it, expect, afterAll } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { markMaildirsForResync } from '../../src/restore/dovecot-resync.js';

const work = mkdtempSync(join(tmpdir(), 'dovecot-resync-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('markMaildirsForResync', () => {
  it('sets cur/ and new/ of every folder to now and leaves message files alone', () => {
    const box = join(work, 'vmail', 'example.com', 'alice@example.com');
    const old = new Date('2026-01-01T00:00:00Z');
    const dirs = ['cur', 'new', 'tmp', '.Sent/cur', '.Sent/new', '.Sent/tmp'];
    for (const d of dirs) mkdirSync(join(box, d), { recursive: true });
    const msg = join(box, 'cur', '1.M1P1.h,S=2:2,S');
    writeFileSync(msg, 'a\n');
    for (const p of [msg, ...dirs.map((d) => join(box, d))]) utimesSync(p, old, old);
    const before = Date.now() - 1000;
    expect(markMaildirsForResync(join(work, 'vmail'))).toBe(2);
    for (const d of ['cur', 'new', '.Sent/cur', '.Sent/new']) expect(statSync(join(box, d)).mtimeMs).toBeGreaterThan(before);
    expect(statSync(msg).mtimeMs).toBe(old.getTime());
    expect(statSync(join(box, 'tmp')).mtimeMs).toBe(old.getTime());
  });
});
