/** The engine's pure decisions during the scan: link, copy or wait. */
import { describe, it, expect } from 'vitest';
import { LinkPlanner } from '../../../../src/engine/link/link-plan.js';
import { linkable } from '../../../../src/engine/link/linkable.js';
import { compareBytes, formatIndexLine } from '../../../../src/repository/manifest-format.js';
import { LazyIndexEntry } from '../../../../src/engine/manifest/lazy-index-entry.js';
import { file, prev, planner } from './fixtures.js';

describe('LinkPlanner.decide', () => {
  it('links a file whose size, mtime, mode and owner the previous index holds at that path', () => {
    const p = planner([prev('a'), prev('b')], false);
    expect(p.decide(file('a')).op).toBe('link');
    expect(p.decide(file('b', { mtimeMs: 2000 })).op).toBe('copy');
  });

  it('copies a file whose inode changed after the previous run started (an ACL or xattr lstat cannot see)', () => {
    const p = new LinkPlanner([prev('a'), prev('b')].values(), { maildir: false, compare: compareBytes, changedSince: 5000 });
    expect(p.decide(file('a', { ctimeMs: 4999 })).op).toBe('link');
    expect(p.decide(file('b', { ctimeMs: 5000 })).op).toBe('copy');
  });

  it('copies on any attribute change: mode, owner', () => {
    expect(linkable(file('a', { mode: 0o100640 }), prev('a'))).toBe(false);
    expect(linkable(file('a', { uid: 6 }), prev('a'))).toBe(false);
    expect(linkable(file('a'), prev('a'))).toBe(true);
  });

  it('copies everything when there is no previous index; directories and links are not files', () => {
    const p = planner(undefined);
    expect(p.decide(file('x')).op).toBe('copy');
    expect(p.decide({ ...file('d'), kind: 'dir' }).op).toBe('mkdir');
    expect(p.decide({ ...file('l'), kind: 'symlink' }).op).toBe('special');
  });

  it('lets a new message name wait, and remembers the previous names the source lost', () => {
    const p = planner([prev('u/cur/1.M1:2,'), prev('u/dovecot-uidlist')]);
    expect(p.decide(file('u/cur/1.M1:2,S')).op).toBe('defer');
    expect(p.decide(file('u/dovecot-uidlist', { size: 11 })).op).toBe('copy'); // not a message: no rename
    p.finish();
    expect(p.gone.map((g) => g.path)).toEqual(['u/cur/1.M1:2,']);
  });
});

describe('LinkPlanner.takeLines (a leaf directory handed to an fs worker)', () => {
  // lines as prevComponentEntries reads them: snapshot-relative paths, `mail/` stripped lazily
  const lines = ['u/a', 'u/cur/1', 'u/cur/2', 'u/cur0', 'u/new/3'].map((p) => formatIndexLine(prev(`mail/${p}`)).slice(0, -1));
  const lazy = () => new LinkPlanner(lines.map((l) => new LazyIndexEntry(l, 'mail/'.length)).values(), { maildir: true, compare: compareBytes });

  it('passes what lies before the directory, takes exactly its lines, and decides on after them', () => {
    const p = lazy();
    expect(p.takeLines('u/cur', 'mail/u/cur/')).toEqual([lines[1], lines[2]]);
    expect(p.decide(file('u/cur0')).op).toBe('link'); // the line just after the block
    p.finish();
    expect(p.gone.map((g) => g.path)).toEqual(['u/new/3']); // u/a is not a message; u/cur/* are the worker's
  });

  it('takes nothing for a directory the previous snapshot did not have', () => {
    const p = lazy();
    expect(p.takeLines('u/bar', 'mail/u/bar/')).toEqual([]);
    expect(p.decide(file('u/cur/1')).op).toBe('link');
  });
});
