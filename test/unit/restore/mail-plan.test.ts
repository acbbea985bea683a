import { describe, expect, it } from 'vitest';
import { planMail } from '../../../src/restore/mail-plan.js';
import type { MessageFile } from '../../../src/mailbox/maildir.js';

const DAY = 86_400_000;
const msg = (dir: string, sub: 'cur' | 'new', name: string, mtimeMs = 10 * DAY): MessageFile => ({ dir, sub, name, mtimeMs });
const live = (entries: Record<string, string[]>) =>
  Object.fromEntries(Object.entries(entries).map(([d, names]) => [d, new Map(names.map((n) => [n.split(':2,')[0], n]))]));

describe('merge plan', () => {
  const snapshot = [
    msg('', 'cur', '100.M1P1.h,S=10:2,S'),
    msg('', 'cur', '101.M1P1.h,S=10:2,S'),
    msg('', 'new', '102.M1P1.h,S=10'),
    msg('.Archive', 'cur', '200.M1P1.h,S=10:2,RS', 2 * DAY),
  ];

  it('copies only messages whose base name is missing live, and keeps the live file when only flags differ', () => {
    const plan = planMail({
      mode: 'merge',
      folders: ['', '.Archive'],
      messages: snapshot,
      metadata: [],
      live: live({ '': ['100.M1P1.h,S=10:2,S', '101.M1P1.h,S=10:2,FS'], '.Archive': [] }),
      liveFolders: ['', '.Archive'],
    });
    expect(plan.copy.map((c) => c.to).sort()).toEqual(['.Archive/cur/200.M1P1.h,S=10:2,RS', 'new/102.M1P1.h,S=10']);
    expect(plan.present).toEqual(['cur/100.M1P1.h,S=10:2,S']);
    expect(plan.flagsDiffer).toEqual(['cur/101.M1P1.h,S=10:2,S']);
    expect(plan.createFolders).toEqual([]);
  });

  it('recreates a folder deleted live', () => {
    const plan = planMail({ mode: 'merge', folders: ['.Archive'], messages: snapshot.slice(3), metadata: [], live: live({ '.Archive': [] }), liveFolders: [''] });
    expect(plan.createFolders).toEqual(['.Archive']);
    expect(plan.copy).toHaveLength(1);
  });

  it('--into-folder sends every missing message into the new folder, once per base name', () => {
    const plan = planMail({
      mode: 'merge',
      folders: ['', '.Archive'],
      messages: [...snapshot, msg('.Archive', 'cur', '100.M1P1.h,S=10:2,S')],
      metadata: [],
      live: live({ '': ['100.M1P1.h,S=10:2,S'], '.Archive': [] }),
      liveFolders: ['', '.Archive'],
      intoFolder: '.Recovered',
    });
    expect(plan.createFolders).toEqual(['.Recovered']);
    expect(plan.copy.every((c) => c.to.startsWith('.Recovered/'))).toBe(true);
    const bases = plan.copy.map((c) => c.to.split('/').pop()!.split(':2,')[0]);
    expect(new Set(bases).size).toBe(bases.length);
    expect(bases.sort()).toEqual(['100.M1P1.h,S=10', '101.M1P1.h,S=10', '102.M1P1.h,S=10', '200.M1P1.h,S=10']);
  });

  it('--since/--until select by internal date (mtime), until exclusive', () => {
    const plan = planMail({ mode: 'merge', folders: ['', '.Archive'], messages: snapshot, metadata: [], live: {}, liveFolders: ['', '.Archive'], since: 5 * DAY, until: 11 * DAY });
    expect(plan.copy).toHaveLength(3);
    expect(plan.outsideDates).toBe(1);
    const until = planMail({ mode: 'merge', folders: [''], messages: snapshot, metadata: [], live: {}, liveFolders: [''], until: 10 * DAY });
    expect(until.copy.map((c) => c.to)).toEqual(['.Archive/cur/200.M1P1.h,S=10:2,RS']);
  });
});

describe('copy and replace plans', () => {
  it('a --to copy takes every message and the folder metadata Dovecot needs', () => {
    const plan = planMail({ mode: 'copy', folders: [''], messages: [msg('', 'cur', 'a:2,S'), msg('', 'new', 'b')], metadata: ['dovecot-uidlist'] });
    expect(plan.copy.map((c) => c.to)).toEqual(['cur/a:2,S', 'new/b', 'dovecot-uidlist']);
    expect(plan.createFolders).toEqual(['']);
  });

  it('replace moves aside a folder directory, INBOX without its subfolders, or the whole mailbox', () => {
    const base = { mode: 'replace' as const, messages: [], metadata: [] };
    expect(planMail({ ...base, folders: ['.Archive'] }).moveAside).toEqual(['.Archive']);
    expect(planMail({ ...base, folders: [''] }).moveAside).toEqual(['cur', 'new', 'dovecot-uidlist', 'dovecot-keywords']);
    expect(planMail({ ...base, folders: ['', '.Archive'], wholeMailbox: true }).moveAside).toEqual(['']);
  });
});
