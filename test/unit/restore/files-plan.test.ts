import { describe, expect, it } from 'vitest';
import { isNoop, planFiles } from '../../../src/restore/files-plan.js';
import type { Tree, TreeEntry } from '../../../src/restore/tree.js';

const e = (over: Partial<TreeEntry> = {}): TreeEntry => ({ type: 'file', mode: 0o644, uid: 0, gid: 0, size: 10, mtimeMs: 1000, ...over });
const tree = (entries: Record<string, TreeEntry>): Tree => new Map(Object.entries(entries));

describe('restore files plan', () => {
  it('creates the missing, replaces what differs in content, mode, owner or link target, leaves the rest', () => {
    const snap = tree({
      live: e({ type: 'dir', mode: 0o755 }),
      'live/cert.pem': e({ type: 'link', size: 0, link: '../archive/cert1.pem' }),
      'live/key.pem': e({ type: 'link', size: 0, link: '../archive/key1.pem' }),
      'archive/key1.pem': e({ mode: 0o600 }),
      'archive/cert1.pem': e(),
      'renewal.conf': e({ size: 20 }),
      'owner.txt': e({ uid: 5000 }),
      'same.txt': e(),
      'was-a-file': e(),
    });
    const live = tree({
      live: e({ type: 'dir', mode: 0o755 }),
      'live/cert.pem': e({ type: 'link', size: 0, link: '../archive/cert2.pem' }),
      'archive/key1.pem': e({ mode: 0o644 }),
      'archive/cert1.pem': e(),
      'renewal.conf': e({ size: 21, mtimeMs: 5000 }),
      'owner.txt': e(),
      'same.txt': e(),
      'was-a-file': e({ type: 'dir', size: 0 }),
      'extra.txt': e(),
    });
    const p = planFiles(snap, live);
    expect(p.create).toEqual(['live/key.pem']);
    expect(p.replace.sort()).toEqual(['archive/key1.pem', 'live/cert.pem', 'owner.txt', 'renewal.conf']);
    expect(p.unchanged.sort()).toEqual(['archive/cert1.pem', 'live', 'same.txt']);
    expect(p.conflicts).toEqual(['was-a-file']);
    expect(p.extraLive).toEqual(['extra.txt']);
    expect(isNoop(p)).toBe(false);
    expect(isNoop(planFiles(snap, snap))).toBe(true);
  });
});
