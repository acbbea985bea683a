/** The one rule "may be linked": attributes, and the inode's ctime against the previous run's start. */
import { describe, it, expect } from 'vitest';
import { linkable } from '../../../../src/engine/link/linkable.js';

const stat = { size: 10, mtimeMs: 1000, ctimeMs: 1000, mode: 0o100600, uid: 5, gid: 5 };

describe('linkable', () => {
  it('links a file whose attributes are the previous ones (file type bits aside)', () => {
    expect(linkable(stat, { ...stat, mode: 0o600 })).toBe(true);
    expect(linkable({ ...stat, size: 11 }, stat)).toBe(false);
    expect(linkable({ ...stat, mtimeMs: 1001 }, stat)).toBe(false);
    expect(linkable({ ...stat, gid: 6 }, stat)).toBe(false);
  });

  it('copies a file whose inode changed at or after `since`; no `since` is no limit', () => {
    expect(linkable({ ...stat, ctimeMs: 4999 }, stat, 5000)).toBe(true);
    expect(linkable({ ...stat, ctimeMs: 5000 }, stat, 5000)).toBe(false);
    expect(linkable({ ...stat, ctimeMs: 9e15 }, stat)).toBe(true);
  });
});
