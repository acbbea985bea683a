import { describe, it, expect } from 'vitest';
import { planMaildirRenames } from '../../../../src/engine/link/maildir-renames.js';
import { baseName as maildirBase } from '../../../../src/mailbox/maildir.js';

const M = '1717200000.M123P45.mail,S=2048,W=2100';
const N = '1717200001.M999P46.mail,S=4096,W=4200';

describe('maildirBase', () => {
  it('cuts at the flags separator, keeps names without flags whole', () => {
    expect(maildirBase(`${M}:2,RS`)).toBe(M);
    expect(maildirBase(`${M};2,S`)).toBe(M);
    expect(maildirBase(`${M}!2,S`)).toBe(M);
    expect(maildirBase(M)).toBe(M);
  });
});

describe('planMaildirRenames', () => {
  it('links a flag change in cur/', () => {
    expect(planMaildirRenames({ source: [`cur/${M}:2,RS`], previous: [`cur/${M}:2,S`] })).toEqual([
      { from: `cur/${M}:2,S`, to: `cur/${M}:2,RS` },
    ]);
  });

  it('links a new→cur move', () => {
    expect(planMaildirRenames({ source: [`cur/${M}:2,S`], previous: [`new/${M}`] })).toEqual([{ from: `new/${M}`, to: `cur/${M}:2,S` }]);
  });

  it('does nothing for unchanged, new and deleted messages', () => {
    expect(planMaildirRenames({ source: [`cur/${M}:2,S`, `new/${N}`], previous: [`cur/${M}:2,S`, `cur/other:2,`] })).toEqual([]);
  });

  it('leaves a base name that appears twice in the source to rsync', () => {
    expect(planMaildirRenames({ source: [`cur/${M}:2,S`, `new/${M}`], previous: [`cur/${M}:2,`] })).toEqual([]);
  });

  it('takes only one clone file when the clone has the base twice, preferring the same subdir', () => {
    const plan = planMaildirRenames({ source: [`cur/${M}:2,RS`], previous: [`new/${M}`, `cur/${M}:2,S`] });
    expect(plan).toEqual([{ from: `cur/${M}:2,S`, to: `cur/${M}:2,RS` }]);
  });

  it('never takes a clone file whose name still exists in the source', () => {
    expect(planMaildirRenames({ source: [`cur/${M}:2,S`, `cur/${M}:2,RS`], previous: [`cur/${M}:2,S`] })).toEqual([]);
    expect(planMaildirRenames({ source: [`cur/${M}:2,S`, `cur/${N}:2,S`], previous: [`cur/${M}:2,S`] })).toEqual([]);
  });

  it('links a message moved to another folder of the mailbox (IMAP MOVE keeps the name)', () => {
    expect(planMaildirRenames({ source: [`.Archive/cur/${M}:2,S`], previous: [`cur/${M}:2,S`] })).toEqual([
      { from: `cur/${M}:2,S`, to: `.Archive/cur/${M}:2,S` },
    ]);
  });

  it('prefers the same folder over another folder when the clone has the base twice', () => {
    const plan = planMaildirRenames({ source: [`.Archive/cur/${M}:2,RS`], previous: [`cur/${M}:2,S`, `.Archive/new/${M}`] });
    expect(plan).toEqual([{ from: `.Archive/new/${M}`, to: `.Archive/cur/${M}:2,RS` }]);
  });

  it('plans several renames in one folder', () => {
    const plan = planMaildirRenames({ source: [`cur/${M}:2,S`, `cur/${N}:2,FS`], previous: [`new/${M}`, `cur/${N}:2,S`] });
    expect(plan).toHaveLength(2);
  });
});
