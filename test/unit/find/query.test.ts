import { describe, expect, it } from 'vitest';
import { matches, toQuery } from '../../../src/find/query.js';
import { Grouper } from '../../../src/find/group.js';
import type { MessageEntry } from '../../../src/repository/message-index.js';

const entry = (o: Partial<MessageEntry> = {}): MessageEntry => ({
  path: 'mail/vmail/example.com/alice@example.com/cur/1.M1:2,S', user: 'alice@example.com', folder: 'INBOX', sha256: 'a'.repeat(64), size: 120,
  deliveredMs: Date.UTC(2026, 10, 20, 9), messageId: 'inv-1@example.jp', from: '経理部 山田 <Yamada@Example.jp>', to: 'alice@example.com', subject: '請求書のご送付 ＩＮＶ-7', ...o,
});

describe('matches', () => {
  it('is a case-insensitive substring on decoded text, full-width folded', () => {
    expect(matches(entry(), toQuery({ subject: '請求書' }))).toBe(true);
    expect(matches(entry(), toQuery({ subject: 'inv-7' }))).toBe(true);
    expect(matches(entry(), toQuery({ from: 'yamada@example.JP' }))).toBe(true);
    expect(matches(entry(), toQuery({ from: '山田', subject: '見積書' }))).toBe(false);
  });

  it('matches user and folder whole, any case; a %n mailbox by its local part', () => {
    expect(matches(entry(), toQuery({ user: 'Alice@Example.com', folder: 'inbox' }))).toBe(true);
    expect(matches(entry(), toQuery({ user: 'ali' }))).toBe(false);
    expect(matches(entry({ user: 'alice' }), toQuery({ user: 'alice@example.com' }))).toBe(true);
    expect(matches(entry({ user: 'alice' }), toQuery({ user: 'bob@example.com' }))).toBe(false);
  });

  it('takes a Message-ID with or without brackets, whole', () => {
    expect(matches(entry(), toQuery({ messageId: '<inv-1@example.jp>' }))).toBe(true);
    expect(matches(entry(), toQuery({ messageId: 'inv-1' }))).toBe(false);
  });

  it('--since is inclusive, --until exclusive, on the delivery date', () => {
    const t = Date.UTC(2026, 10, 20, 9);
    expect(matches(entry(), toQuery({ since: t, until: t + 1 }))).toBe(true);
    expect(matches(entry(), toQuery({ until: t }))).toBe(false);
  });
});

describe('Grouper', () => {
  it('is one record per message across snapshots: first and last seen, the newest copy, renamed names', () => {
    const g = new Grouper();
    g.add('daily/2026-11-20', entry());
    g.add('daily/2026-11-21', entry({ path: 'mail/vmail/example.com/alice@example.com/.Archive/cur/1.M1:2,SF', folder: 'Archive' }));
    g.add('daily/2026-11-21', entry({ user: 'bob@example.com', path: 'mail/vmail/example.com/bob@example.com/cur/7.M7:2,' }));
    const [a, b] = g.messages();
    expect(a).toMatchObject({ user: 'alice@example.com', folder: 'Archive', snapshots: ['daily/2026-11-20', 'daily/2026-11-21'], baseNames: ['1.M1'] });
    expect(a.newest.snapshot).toBe('daily/2026-11-21');
    expect(b).toMatchObject({ user: 'bob@example.com', snapshots: ['daily/2026-11-21'] });
  });

  it('keys a message without Message-ID by size and content', () => {
    const g = new Grouper();
    g.add('daily/2026-11-20', entry({ messageId: '' }));
    g.add('daily/2026-11-21', entry({ messageId: '', sha256: 'b'.repeat(64) }));
    g.add('daily/2026-11-22', entry({ messageId: '' }));
    expect(g.messages().map((m) => m.snapshots.length).sort()).toEqual([1, 2]);
  });
});
