import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { checkDatabaseName, closest, folderDir, folderName, matchFolder, parseAddress, parseDate } from '../../../src/restore/names.js';

describe('modified UTF-7 folder names', () => {
  it('maps folder names to Maildir++ directories and back', () => {
    expect(folderDir('INBOX')).toBe('');
    expect(folderDir('Archive/2024')).toBe('.Archive.2024');
    expect(folderDir('日本語')).toBe('.&ZeVnLIqe-');
    expect(folderName('.Archive.2024')).toBe('Archive/2024');
    expect(folderName('')).toBe('INBOX');
  });
});

describe('input validation', () => {
  it('--user: the domain in any case and in Unicode becomes the stored xn-- form; the local part is kept', () => {
    expect(parseAddress('user2@例え.jp')).toEqual({ address: 'user2@xn--r8jz45g.jp', local: 'user2', domain: 'xn--r8jz45g.jp' });
    expect(parseAddress('Alice@EXAMPLE.Com')).toEqual({ address: 'Alice@example.com', local: 'Alice', domain: 'example.com' });
    expect(parseAddress('user2@XN--R8JZ45G.jp').domain).toBe('xn--r8jz45g.jp');
  });

  it('accepts a plain address and splits it', () => {
    expect(parseAddress('alice@Example.com')).toMatchObject({ local: 'alice', domain: 'example.com' });
  });

  it.each(['../etc@example.com', 'alice@../..', '/etc/passwd', 'alice@example.com\n', 'a\0@b.c', 'alice', 'alice@exa/mple.com', '.hidden@example.com'])(
    'refuses the unsafe or malformed address %j',
    (bad) => {
      expect(() => parseAddress(bad)).toThrow(UsageError);
    },
  );

  it('refuses folder names that could leave the mailbox and offers the closest folders', () => {
    const existing = ['INBOX', 'Sent', 'Archive', 'Archive/2024', '日本語'];
    for (const bad of ['../x', 'Archive/../..', '/abs', 'a\nb', 'x\0y']) expect(() => matchFolder(bad, existing, 'here')).toThrow(UsageError);
    expect(() => matchFolder('Archiv/2024', existing, 'the snapshot')).toThrow(/closest: Archive\/2024/);
    expect(matchFolder('inbox', existing, 'x')).toBe('INBOX');
    expect(matchFolder('.Archive.2024', existing, 'x')).toBe('Archive/2024');
    expect(matchFolder('Archive.2024', existing, 'x')).toBe('Archive/2024');
    expect(matchFolder('日本語', existing, 'x')).toBe('日本語');
  });

  it('ranks the nearest names first', () => {
    expect(closest('alcie@example.com', ['bob@example.com', 'alice@example.com', 'carol@example.org'], 1)).toEqual(['alice@example.com']);
  });

  it('accepts plain database names only', () => {
    expect(checkDatabaseName('NAME', 'usermgmt_check')).toBe('usermgmt_check');
    for (const bad of ['a b', 'x;drop', '../y', '', 'a`b']) expect(() => checkDatabaseName('NAME', bad)).toThrow(UsageError);
  });

  it('parses dates and refuses impossible ones', () => {
    expect(parseDate('--since', '2026-11-01')).toBe(new Date(2026, 10, 1).getTime());
    expect(() => parseDate('--since', '2026-02-30')).toThrow(UsageError);
    expect(() => parseDate('--until', 'yesterday')).toThrow(UsageError);
  });
});
