import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findMailbox, formatLayout, homeRel, listMailboxes, maildirRel, parseLayout, toAddress } from '../../../src/mailbox/layout.js';
import { parseAddress } from '../../../src/restore/names.js';
import { vmailTrees } from '../../helpers/vmail-tree.js';

const trees = vmailTrees('mb-layout-unit-');
const tree = trees.tree;
afterAll(() => trees.cleanup());

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
