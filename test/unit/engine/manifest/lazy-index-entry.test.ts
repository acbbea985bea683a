/** An index line parsed only when a field other than its path is read. */
import { describe, it, expect } from 'vitest';
import { LazyIndexEntry } from '../../../../src/engine/manifest/lazy-index-entry.js';
import { formatIndexLine, parseIndexLine } from '../../../../src/repository/manifest-format.js';
import { prev } from '../link/fixtures.js';

describe('LazyIndexEntry', () => {
  it('reads as parseIndexLine does, its path without the stripped prefix', () => {
    const line = formatIndexLine(prev('mail/u/cur/1\tx', { ino: 77, isNew: true })).slice(0, -1);
    const lazy = new LazyIndexEntry(line, 'mail/'.length);
    const parsed = parseIndexLine(line);
    expect(lazy.path).toBe('u/cur/1\tx');
    expect([lazy.ino, lazy.size, lazy.mtimeMs, lazy.mode, lazy.uid, lazy.gid, lazy.sha256, lazy.isNew, lazy.line]).toEqual([parsed.ino, parsed.size, parsed.mtimeMs, parsed.mode, parsed.uid, parsed.gid, parsed.sha256, parsed.isNew, line]);
  });
});
