import { describe, expect, it } from 'vitest';
import { broughtAlong, DirCounts, rsyncListFor, WHOLE_DIR_MIN_FILES } from '../../../../src/engine/copy/whole-dirs.js';

function counts(dirs: Record<string, number>): DirCounts {
  const c = new DirCounts();
  for (const [d, n] of Object.entries(dirs)) {
    c.dir(d);
    for (let i = 0; i < n; i++) c.entry(`${d}/f${i}`);
  }
  return c;
}
const files = (d: string, n: number) => Array.from({ length: n }, (_, i) => `${d}/f${i}`);

describe('rsyncListFor', () => {
  it('lists a directory whole when every entry the scan met there is in the batch', () => {
    const c = counts({ 'u/cur': 6, 'u/new': 5 });
    const l = rsyncListFor([...files('u/cur', 6), ...files('u/new', 5)], c);
    expect([...l.wholeDirs].sort()).toEqual(['u/cur', 'u/new']);
    expect(l.names.sort()).toEqual(['u/cur/', 'u/new/']);
  });

  it('lists by name a directory with an entry not copied (linked, special) or split across batches', () => {
    const c = counts({ 'u/cur': 6 });
    const l = rsyncListFor(files('u/cur', 5), c);
    expect(l.wholeDirs.size).toBe(0);
    expect(l.names).toEqual(files('u/cur', 5));
  });

  it('never lists the root or a parent the scan did not meet as a directory, nor a tiny directory', () => {
    const c = new DirCounts();
    for (let i = 0; i < 10; i++) c.entry(`top${i}`); // root entries
    c.dir('small');
    for (let i = 0; i < WHOLE_DIR_MIN_FILES - 1; i++) c.entry(`small/f${i}`);
    for (let i = 0; i < 10; i++) c.entry(`unmet/f${i}`);
    const batch = [...Array.from({ length: 10 }, (_, i) => `top${i}`), ...files('small', WHOLE_DIR_MIN_FILES - 1), ...files('unmet', 10)];
    const l = rsyncListFor(batch, c);
    expect(l.wholeDirs.size).toBe(0);
    expect(l.names).toEqual(batch);
  });

  it('without counts (an `entries` component) lists every name', () => {
    expect(rsyncListFor(['a/1', 'a/2'], undefined)).toEqual({ names: ['a/1', 'a/2'], wholeDirs: new Set() });
  });
});

describe('broughtAlong', () => {
  it('names what rsync brought with a whole directory that the scan never met there, nothing else', () => {
    const c = counts({ 'u/cur': 5, 'u/cur/sub': 0, 'u/new': 5 });
    const l = rsyncListFor([...files('u/cur', 5), ...files('u/new', 3)], c); // u/new: 2 of 5 linked
    expect([...l.wholeDirs]).toEqual(['u/cur']);
    expect(broughtAlong(l, c, { code: '>f+++++++++', name: 'u/cur/f9' })).toBe(true);
    expect(broughtAlong(l, c, { code: 'cd+++++++++', name: 'u/cur/later/' })).toBe(true);
    expect(broughtAlong(l, c, { code: '>f+++++++++', name: 'u/cur/f2' })).toBe(false);
    expect(broughtAlong(l, c, { code: '.d..t......', name: 'u/cur/sub/' })).toBe(false);
    expect(broughtAlong(l, c, { code: '>f+++++++++', name: 'u/new/f9' })).toBe(false); // listed by name: rsync brings only those
  });
});
