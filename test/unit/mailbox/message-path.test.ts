import { describe, expect, it } from 'vitest';
import { parseLayout } from '../../../src/mailbox/layout.js';
import { messageOfPath } from '../../../src/mailbox/message-path.js';

describe('messageOfPath', () => {
  it('splits each layout into user, maildir and folder', () => {
    expect(messageOfPath('example.com/alice@example.com/cur/1.M1:2,S', parseLayout('%d/%u'))).toEqual({ user: 'alice@example.com', maildir: 'example.com/alice@example.com', dir: '', folder: 'INBOX', sub: 'cur', name: '1.M1:2,S' });
    expect(messageOfPath('example.com/alice/.Archive.2024/new/2.M2', parseLayout('%d/%n'))).toMatchObject({ user: 'alice@example.com', folder: 'Archive/2024', sub: 'new' });
    expect(messageOfPath('alice/Maildir/.&ZeVnLIqe-/cur/3.M3:2,', parseLayout('%n/Maildir'))).toMatchObject({ user: 'alice', maildir: 'alice/Maildir', folder: '日本語' });
  });

  it('is undefined for what is not a message: tmp/, metadata, sieve, a layout that does not fit', () => {
    const l = parseLayout('%d/%u');
    for (const p of ['example.com/alice@example.com/tmp/1.M1', 'example.com/alice@example.com/dovecot-uidlist', 'example.com/alice@example.com/.Sent/dovecot-uidlist', 'example.com/alice@example.com/cur/.hidden', 'example.com/alice@example.com/sieve/cur/x', 'cur/1.M1']) {
      expect(messageOfPath(p, l), p).toBeUndefined();
    }
  });
});
