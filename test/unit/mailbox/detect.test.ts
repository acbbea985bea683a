import { afterAll, describe, expect, it } from 'vitest';
import { classifyTree, resolveLayout, scanTree } from '../../../src/mailbox/detect.js';
import { formatLayout } from '../../../src/mailbox/layout.js';
import { vmailTrees } from '../../helpers/vmail-tree.js';

const trees = vmailTrees('mb-detect-unit-');
const tree = trees.tree;
afterAll(() => trees.cleanup());

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
