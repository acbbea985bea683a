import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classifyTree, resolveLayout, scanTree } from '../../../src/mailbox/detect.js';
import { findMailbox, formatLayout, homeRel, listMailboxes, maildirRel, parseLayout, toAddress } from '../../../src/mailbox/layout.js';
import { parseAddress } from '../../../src/restore/names.js';

const tmp = mkdtempSync(join(tmpdir(), 'mb-layout-unit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
/** a vmail/ tree holding a maildir (cur/ and a .Sent folder) at each path */
function tree(...maildirs: string[]): string {
  const vmail = join(tmp, `t${n++}`, 'vmail');
  mkdirSync(vmail, { recursive: true });
  for (const m of maildirs) for (const d of ['cur', 'new', 'tmp', '.Sent/cur']) mkdirSync(join(vmail, m, d), { recursive: true });
  return vmail;
}

describe('address ⇄ directory', () => {
  const alice = toAddress('alice', 'example.com');
  it.each([
    ['%d/%u', 'example.com/alice@example.com', 'example.com/alice@example.com'],
    ['%d/%n', 'example.com/alice', 'example.com/alice'],
    ['%u', 'alice@example.com', 'alice@example.com'],
    ['%n', 'alice', 'alice'],
    ['%d/%n/Maildir', 'example.com/alice', 'example.com/alice/Maildir'],
    ['%u/mail/box', 'alice@example.com', 'alice@example.com/mail/box'],
  ])('%s: home %s, maildir %s', (layout, home, maildir) => {
    const l = parseLayout(layout);
    expect(formatLayout(l)).toBe(layout);
    expect(homeRel(l, alice)).toBe(home);
    expect(maildirRel(l, alice)).toBe(maildir);
  });

  it('refuses a template that is not one of the layouts, or that climbs out', () => {
    for (const bad of ['%d', '%n/%d', 'vmail/%d/%n', '%d/%n/../x', '%d/%n/', '%Ld/%Ln']) expect(() => parseLayout(bad), bad).toThrow(/source.mailboxLayout/);
  });

  it('--user: the domain in any case and in Unicode becomes the stored xn-- form; the local part is kept', () => {
    expect(parseAddress('user2@例え.jp')).toEqual({ address: 'user2@xn--r8jz45g.jp', local: 'user2', domain: 'xn--r8jz45g.jp' });
    expect(parseAddress('Alice@EXAMPLE.Com')).toEqual({ address: 'Alice@example.com', local: 'Alice', domain: 'example.com' });
    expect(parseAddress('user2@XN--R8JZ45G.jp').domain).toBe('xn--r8jz45g.jp');
  });

  it('finds a mailbox whose local part differs only in case, and only when one does', () => {
    const vmail = tree('example.com/alice@example.com', 'example.com/bob@example.com');
    const l = parseLayout('%d/%u');
    expect(findMailbox(vmail, l, parseAddress('ALICE@Example.com'))?.maildir).toBe('example.com/alice@example.com');
    expect(findMailbox(vmail, l, parseAddress('carol@example.com'))).toBeUndefined();
    expect(listMailboxes(vmail, l).map((e) => e.user)).toEqual(['alice@example.com', 'bob@example.com']);
  });

  it('lists only homes that hold the maildir the layout names', () => {
    const vmail = tree('example.com/alice/Maildir', 'example.com/bob/Maildir');
    mkdirSync(join(vmail, 'example.com', 'carol', 'sieve'), { recursive: true }); // a home Dovecot has not filled yet
    expect(listMailboxes(vmail, parseLayout('%d/%n/Maildir'))).toEqual([
      { user: 'alice@example.com', home: 'example.com/alice', maildir: 'example.com/alice/Maildir' },
      { user: 'bob@example.com', home: 'example.com/bob', maildir: 'example.com/bob/Maildir' },
    ]);
  });
});

describe('auto: the layout a tree shows', () => {
  it.each([
    ['%d/%u', ['example.com/alice@example.com', 'example.com/bob@example.com', 'xn--r8jz45g.jp/user2@xn--r8jz45g.jp']],
    ['%d/%n', ['example.com/alice', 'example.com/bob', 'example.org/alice']],
    ['%u', ['alice@example.com', 'bob@example.org']],
    ['%n', ['alice', 'bob']],
    ['%d/%u/Maildir', ['example.com/alice@example.com/Maildir', 'example.com/bob@example.com/Maildir']],
    ['%d/%n/Maildir', ['example.com/alice/Maildir', 'example.org/bob/Maildir']],
    ['%n/Maildir', ['alice/Maildir', 'bob/Maildir']],
    ['%d/%n', ['example.com/john.doe']],
  ])('%s from %j', (expected, boxes) => {
    expect(formatLayout(resolveLayout('auto', tree(...boxes)))).toBe(expected);
  });

  it('a configured layout wins over the tree', () => {
    expect(formatLayout(resolveLayout('%n', tree('example.com/alice')))).toBe('%n');
  });

  it('refuses a mixed tree, naming the key and the layouts to choose from', () => {
    const mixed = tree('example.com/alice', 'example.com/bob@example.com');
    expect(() => resolveLayout('auto', mixed)).toThrow(/source\.mailboxLayout.*%d\/%u, %d\/%n/);
    try {
      resolveLayout('auto', mixed);
    } catch (err) {
      expect((err as { exitCode?: number }).exitCode).toBe(78);
    }
  });

  it('reads homes all holding one "Maildir" as %n/Maildir, not as users called Maildir', () => {
    expect(classifyTree(scanTree(tree('alice/Maildir', 'bob/Maildir')))).toEqual({ layout: { base: '%n', maildir: 'Maildir' } });
    expect(classifyTree(scanTree(tree('alice/Maildir', 'bob/Maildir', 'example.com/carol')))).toMatchObject({ candidates: [] });
  });

  it('refuses a domain directory whose users are in another domain (not %d/%u)', () => {
    expect(() => resolveLayout('auto', tree('example.com/alice@example.org'))).toThrow(/no layout fits/);
  });
});
