/** The completeness check's plan: what rsync missed under live traffic, and duplicates per folder. */
import { describe, it, expect } from 'vitest';
import { duplicateRemovals, folderOf, planCompletion, staleDuplicateGroups } from '../../../../src/engine/complete/complete-plan.js';

const M1 = '1751031665.M825832P35454.mail,S=17107,W=17147';
const M2 = '1751031700.M1P2.mail,S=100,W=104';

describe('planCompletion', () => {
  it('copies a message the snapshot lacks, and nothing it has under an older name', () => {
    const plan = planCompletion([`cur/${M1}:2,FRS`, `cur/${M2}:2,S`], [`cur/${M1}:2,S`]);
    expect(plan.copy).toEqual([`cur/${M2}:2,S`]);
    expect(plan.remove).toEqual([]);
  });

  it('counts new/ and cur/ as one folder: a message moved new → cur is present', () => {
    expect(planCompletion([`cur/${M1}:2,S`], [`new/${M1}`]).copy).toEqual([]);
  });

  it('keeps a message moved to another folder where rsync saw it, and copies one missing everywhere into its folder now', () => {
    expect(planCompletion([`.Archive/cur/${M1}:2,S`], [`cur/${M1}:2,S`])).toEqual({ copy: [], remove: [] });
    expect(planCompletion([`.Archive/cur/${M1}:2,S`], [`cur/${M2}:2,S`]).copy).toEqual([`.Archive/cur/${M1}:2,S`]);
  });

  it('removes a second name of one message in one folder, keeping the name the source has', () => {
    const plan = planCompletion([`cur/${M1}:2,RS`], [`cur/${M1}:2,RS`, `new/${M1}`]);
    expect(plan.remove).toEqual([`new/${M1}`]);
    const other = planCompletion([`new/${M1}`], [`cur/${M1}:2,RS`, `new/${M1}`]);
    expect(other.remove).toEqual([`cur/${M1}:2,RS`]);
    expect(other.copy).toEqual([]);
  });

  it('copies once a message that a listing caught mid-rename under two names', () => {
    expect(planCompletion([`new/${M1}`, `cur/${M1}:2,S`], []).copy).toEqual([`new/${M1}`]);
  });

  it('keeps an expunged message the snapshot already has', () => {
    expect(planCompletion([], [`cur/${M1}:2,S`])).toEqual({ copy: [], remove: [] });
  });

  it('names folders as Maildir++ does', () => {
    expect(folderOf('cur/x')).toBe('');
    expect(folderOf('.Sent/new/x')).toBe('.Sent');
    expect(folderOf('.A.B/cur/x:2,S')).toBe('.A.B');
  });
});

describe('staleDuplicateGroups', () => {
  const sizes: Record<string, number> = {
    [`cur/${M1}:2,`]: 114, [`new/${M2}`]: 114, [`cur/${M2}:2,S`]: 114, [`cur/x`]: 114, [`.Sent/cur/${M2}`]: 114, [`cur/big`]: 999,
  };
  const sizeOf = (p: string) => sizes[p];

  it('groups a name the live folder lost with same-size names of that folder only', () => {
    const out = staleDuplicateGroups([`new/${M2}`, 'cur/big', `.Sent/cur/${M2}`], [`cur/${M1}:2,`, `new/${M2}`, 'cur/big', `.Sent/cur/${M2}`], sizeOf);
    expect(out).toEqual([{ live: [`new/${M2}`], stale: [`cur/${M1}:2,`] }]);
  });

  it('counts a name as live by its base: a message flagged since it was copied is not stale', () => {
    // the live folder has M2 as cur/…:2,FS now; the snapshot copied it as cur/…:2,S
    const out = staleDuplicateGroups([`cur/${M2}:2,FS`], [`cur/${M1}:2,`, `cur/${M2}:2,S`], sizeOf);
    expect(out).toEqual([{ live: [`cur/${M2}:2,S`], stale: [`cur/${M1}:2,`] }]);
  });

  it('groups stale names with each other when the message left the folder again', () => {
    const out = staleDuplicateGroups(['cur/big'], [`cur/${M1}:2,`, `cur/${M2}:2,S`, 'cur/big'], sizeOf);
    expect(out).toEqual([{ live: [], stale: [`cur/${M1}:2,`, `cur/${M2}:2,S`] }]);
  });

  it('proposes nothing when every snapshot name is live', () => {
    expect(staleDuplicateGroups([`new/${M2}`, 'cur/x'], [`new/${M2}`, 'cur/x'], sizeOf)).toEqual([]);
  });
});

describe('duplicateRemovals (one class of identical bytes)', () => {
  it('drops every stale copy when a live name holds the message', () => {
    expect(duplicateRemovals({ live: ['cur/b:2,S'], stale: ['cur/a:2,', 'cur/c:2,'] })).toEqual(['cur/a:2,', 'cur/c:2,']);
  });
  it('keeps two identical live messages as two', () => {
    expect(duplicateRemovals({ live: ['cur/a', 'cur/b'], stale: [] })).toEqual([]);
  });
  it('keeps the message once when it left the folder after its second copy', () => {
    expect(duplicateRemovals({ live: [], stale: ['cur/a:2,', 'cur/b:2,S'] })).toEqual(['cur/b:2,S']);
  });
  it('keeps a lone stale copy (the message left the folder after rsync read it)', () => {
    expect(duplicateRemovals({ live: [], stale: ['cur/a:2,'] })).toEqual([]);
  });
});
