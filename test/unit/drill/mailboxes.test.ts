import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { blockedAncestor, compareCounts, countMailboxes } from '../../../src/drill/mailboxes.js';
import { parseLayout } from '../../../src/mailbox/layout.js';

const tmp = mkdtempSync(join(tmpdir(), 'mailbackup-drill-unit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.each([
  ['%d/%u', 'vmail/example.com/alice@example.com'],
  ['%d/%n', 'vmail/example.com/alice'],
  ['%d/%n/Maildir', 'vmail/example.com/alice/Maildir'],
])('mailbox counts (layout %s)', (name, box) => {
  const boxes = parseLayout(name);
  const base = join(tmp, name.replace(/[%/]/g, '_'));
  const mk = (root: string, extra = 0) => {
    for (const f of ['', '.Sent', '.Archive.2024']) {
      for (const s of ['cur', 'new', 'tmp']) mkdirSync(join(root, box, f, s), { recursive: true });
      writeFileSync(join(root, box, f, 'cur', '1.M1P1.h,S=1:2,S'), 'x');
    }
    for (let i = 0; i < extra; i++) writeFileSync(join(root, box, 'new', `${i}.M2P2.h`), 'y');
  };
  mk(join(base, 'm1'));
  mk(join(base, 'm2'), 1);

  it('counts INBOX and .Folder maildirs and their messages per user', () => {
    expect(countMailboxes(join(base, 'm1', 'vmail'), boxes).get('alice@example.com')).toMatchObject({ mailboxes: 3, messages: 3, dir: join(base, 'm1', box) });
  });
  it('names the user whose counts differ', () => {
    const c = compareCounts(countMailboxes(join(base, 'm2', 'vmail'), boxes), countMailboxes(join(base, 'm1', 'vmail'), boxes));
    expect(c).toMatchObject({ status: 'fail', detail: expect.stringContaining('alice@example.com: 3 mailboxes/3 messages restored, snapshot has 3/4') });
  });
});

describe('mailbox owner access', () => {
  it('finds a parent directory the mailbox owner cannot enter', () => {
    const closed = join(tmp, 'closed');
    mkdirSync(join(closed, 'inner'), { recursive: true });
    chmodSync(closed, 0o700);
    expect(blockedAncestor(join(closed, 'inner'), 5000, 5000)).toBe(closed);
    expect(blockedAncestor(join(tmp, 'm1'), 5000, 5000)).toBe(tmp); // mkdtemp makes 0700 dirs
    chmodSync(closed, 0o711);
    chmodSync(tmp, 0o711);
    expect(blockedAncestor(join(closed, 'inner'), 5000, 5000)).toBeUndefined();
  });
});
