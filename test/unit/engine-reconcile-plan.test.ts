import { describe, it, expect } from 'vitest';
import {
  attributeAction,
  entryCoverage,
  isInPlaceChange,
  maildirBase,
  planMaildirRenames,
  type EntryStat,
} from '../../src/engine/reconcile-plan.js';

const M = '1717200000.M123P45.mail,S=2048,W=2100';
const N = '1717200001.M999P46.mail,S=4096,W=4200';

describe('maildirBase', () => {
  it('cuts at the flags separator, keeps names without flags whole', () => {
    expect(maildirBase(`${M}:2,RS`)).toBe(M);
    expect(maildirBase(`${M};2,S`)).toBe(M);
    expect(maildirBase(M)).toBe(M);
  });
});

describe('planMaildirRenames', () => {
  it('links a flag change in cur/', () => {
    expect(planMaildirRenames({ source: [`cur/${M}:2,RS`], clone: [`cur/${M}:2,S`] })).toEqual([
      { from: `cur/${M}:2,S`, to: `cur/${M}:2,RS` },
    ]);
  });

  it('links a new→cur move', () => {
    expect(planMaildirRenames({ source: [`cur/${M}:2,S`], clone: [`new/${M}`] })).toEqual([{ from: `new/${M}`, to: `cur/${M}:2,S` }]);
  });

  it('does nothing for unchanged, new and deleted messages', () => {
    expect(planMaildirRenames({ source: [`cur/${M}:2,S`, `new/${N}`], clone: [`cur/${M}:2,S`, `cur/other:2,`] })).toEqual([]);
  });

  it('leaves a base name that appears twice in the source to rsync', () => {
    expect(planMaildirRenames({ source: [`cur/${M}:2,S`, `new/${M}`], clone: [`cur/${M}:2,`] })).toEqual([]);
  });

  it('takes only one clone file when the clone has the base twice, preferring the same subdir', () => {
    const plan = planMaildirRenames({ source: [`cur/${M}:2,RS`], clone: [`new/${M}`, `cur/${M}:2,S`] });
    expect(plan).toEqual([{ from: `cur/${M}:2,S`, to: `cur/${M}:2,RS` }]);
  });

  it('never takes a clone file whose name still exists in the source', () => {
    expect(planMaildirRenames({ source: [`cur/${M}:2,S`, `cur/${M}:2,RS`], clone: [`cur/${M}:2,S`] })).toEqual([]);
    expect(planMaildirRenames({ source: [`cur/${M}:2,S`, `cur/${N}:2,S`], clone: [`cur/${M}:2,S`] })).toEqual([]);
  });

  it('plans several renames in one folder', () => {
    const plan = planMaildirRenames({ source: [`cur/${M}:2,S`, `cur/${N}:2,FS`], clone: [`new/${M}`, `cur/${N}:2,S`] });
    expect(plan).toHaveLength(2);
  });
});

const base: EntryStat = { kind: 'file', mode: 0o100600, uid: 5000, gid: 5000, size: 100, mtimeMs: 1_700_000_000_500, ctimeMs: 1_700_000_000_500 };
const LATER = 1_800_000_000_000;
const EARLIER = 1_600_000_000_000;

describe('attributeAction', () => {
  it('keeps an unchanged file without asking rsync when the source did not change since', () => {
    expect(attributeAction(base, { ...base }, LATER)).toBe('keep');
  });
  it('unlinks on mode change (rsync would chmod the shared inode)', () => {
    expect(attributeAction({ ...base, mode: 0o100644 }, base, EARLIER)).toBe('unlink');
  });
  it('unlinks on owner or group change (rsync would chown in place)', () => {
    expect(attributeAction({ ...base, uid: 0 }, base, EARLIER)).toBe('unlink');
    expect(attributeAction({ ...base, gid: 0 }, base, EARLIER)).toBe('unlink');
  });
  it('keeps when content changes: rsync writes a new inode anyway', () => {
    expect(attributeAction({ ...base, size: 101, mode: 0o100644 }, base, EARLIER)).toBe('keep');
    expect(attributeAction({ ...base, mtimeMs: base.mtimeMs + 5000 }, base, EARLIER)).toBe('keep');
  });
  it('treats a sub-second mtime difference as rsync does (no transfer), so mode still matters', () => {
    expect(attributeAction({ ...base, mtimeMs: base.mtimeMs + 300, mode: 0o100640 }, base, EARLIER)).toBe('unlink');
  });
  it('asks rsync (check) when attributes look equal but the source changed since the previous snapshot', () => {
    expect(attributeAction({ ...base, ctimeMs: LATER + 1 }, base, LATER)).toBe('check');
  });
  it('unlinks a symlink whose owner or mtime changed (lchown/lutimes in place), ignores its mode', () => {
    const link: EntryStat = { ...base, kind: 'symlink', mode: 0o120777 };
    expect(attributeAction({ ...link, uid: 1 }, link, EARLIER)).toBe('unlink');
    expect(attributeAction({ ...link, mtimeMs: link.mtimeMs + 10_000 }, link, EARLIER)).toBe('unlink');
    expect(attributeAction({ ...link, mode: 0o120755 }, link, LATER)).toBe('keep');
  });
  it('keeps type changes, directories and files missing from the clone', () => {
    expect(attributeAction({ ...base, kind: 'symlink' }, base, EARLIER)).toBe('keep');
    expect(attributeAction({ ...base, kind: 'dir', mode: 0o40755 }, { ...base, kind: 'dir' }, EARLIER)).toBe('keep');
    expect(attributeAction(base, undefined, EARLIER)).toBe('keep');
  });
});

describe('isInPlaceChange', () => {
  it('recognises attribute-only itemize codes of files and symlinks', () => {
    expect(isInPlaceChange('.f...p.....')).toBe(true);
    expect(isInPlaceChange('.f....og...')).toBe(true);
    expect(isInPlaceChange('.f.........a')).toBe(true);
    expect(isInPlaceChange('.f..........x')).toBe(true);
    expect(isInPlaceChange('.L..t......')).toBe(true);
  });
  it('ignores transfers, creations, deletions and directories', () => {
    expect(isInPlaceChange('>f+++++++++')).toBe(false);
    expect(isInPlaceChange('>f.st......')).toBe(false);
    expect(isInPlaceChange('cL+++++++++')).toBe(false);
    expect(isInPlaceChange('*deleting  ')).toBe(false);
    expect(isInPlaceChange('.d..t......')).toBe(false);
  });
});

describe('entryCoverage', () => {
  const entries = ['docker-compose.yml', 'config', 'a/b'];
  it('keeps entries and what is inside them, descends into ancestors, removes the rest', () => {
    expect(entryCoverage('config', entries)).toBe('keep');
    expect(entryCoverage('config/postfix/main.cf', entries)).toBe('keep');
    expect(entryCoverage('a', entries)).toBe('descend');
    expect(entryCoverage('a/c', entries)).toBe('remove');
    expect(entryCoverage('scripts', entries)).toBe('remove');
    expect(entryCoverage('configx', entries)).toBe('remove');
  });
});
