/** What the names the scan left waiting become: links from an old name or a first name, or copies. */
import { describe, it, expect } from 'vitest';
import { resolveDeferred } from '../../../../src/engine/link/deferred.js';
import { file, prev, planner } from './fixtures.js';

describe('resolveDeferred', () => {
  it('links a renamed message from its old name when it is still the same file, else copies it', () => {
    const p = planner([prev('u/cur/1.M1:2,'), prev('u/cur/2.M2:2,')]);
    const d = [file('u/cur/1.M1:2,S'), file('u/cur/2.M2:2,S', { size: 99 })];
    for (const e of d) p.decide(e);
    p.finish();
    const r = resolveDeferred(d, p, true);
    expect(r.links.map((l) => [l.e.path, l.from])).toEqual([['u/cur/1.M1:2,S', 'u/cur/1.M1:2,']]);
    expect(r.copies.map((e) => e.path)).toEqual(['u/cur/2.M2:2,S']);
  });

  it('links a second name of one source inode to the first one, keeping the hardlink', () => {
    const p = planner([prev('a/m')], false);
    const first = file('a/m', { ino: 42, nlink: 2 });
    const second = file('b/m', { ino: 42, nlink: 2 });
    expect(p.decide(first).op).toBe('link');
    expect(p.decide(second).op).toBe('defer');
    p.finish();
    const r = resolveDeferred([second], p, false);
    expect(r.links).toEqual([{ e: second, prev: prev('a/m'), fromNew: 'a/m' }]);
    expect(r.copies).toEqual([]);
  });

  it('copies together the names of an inode none of which is in the previous snapshot (rsync -H links them)', () => {
    const p = planner([prev('z')], false);
    const a = file('a', { ino: 7, nlink: 2 });
    const b = file('b', { ino: 7, nlink: 2 });
    p.decide(a);
    p.decide(b);
    p.finish();
    expect(resolveDeferred([a, b], p, false).copies).toEqual([a, b]);
  });
});
