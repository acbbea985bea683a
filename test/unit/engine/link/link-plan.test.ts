/** The engine's pure decisions: link, copy or wait, and what the waiting names become. */
import { describe, it, expect } from 'vitest';
import { LinkPlanner } from '../../../../src/engine/link/link-plan.js';
import { resolveDeferred } from '../../../../src/engine/link/deferred.js';
import { linkable } from '../../../../src/engine/link/linkable.js';
import { compareBytes, formatIndexLine, parseIndexLine, type IndexEntry } from '../../../../src/repository/manifest-format.js';
import { LazyIndexEntry } from '../../../../src/engine/manifest/lazy-index-entry.js';
import type { ScanEntry } from '../../../../src/engine/scan/scan.js';

const file = (path: string, over: Partial<ScanEntry> = {}): ScanEntry => ({ path, kind: 'file', ino: 1, size: 10, mtimeMs: 1000, ctimeMs: 1000, mode: 0o100600, uid: 5, gid: 5, nlink: 1, ...over });
const prev = (path: string, over: Partial<IndexEntry> = {}): IndexEntry => ({ path, ino: 9, size: 10, mtimeMs: 1000, mode: 0o600, uid: 5, gid: 5, sha256: 'a'.repeat(64), isNew: false, ...over });
const planner = (entries: IndexEntry[] | undefined, maildir = true) => new LinkPlanner(entries?.values(), { maildir, compare: compareBytes });

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

describe('LazyIndexEntry', () => {
  it('reads as parseIndexLine does, its path without the stripped prefix', () => {
    const line = formatIndexLine(prev('mail/u/cur/1\tx', { ino: 77, isNew: true })).slice(0, -1);
    const lazy = new LazyIndexEntry(line, 'mail/'.length);
    const parsed = parseIndexLine(line);
    expect(lazy.path).toBe('u/cur/1\tx');
    expect([lazy.ino, lazy.size, lazy.mtimeMs, lazy.mode, lazy.uid, lazy.gid, lazy.sha256, lazy.isNew, lazy.line]).toEqual([parsed.ino, parsed.size, parsed.mtimeMs, parsed.mode, parsed.uid, parsed.gid, parsed.sha256, parsed.isNew, line]);
  });
});
