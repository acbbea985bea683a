import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { execFileSync } from 'node:child_process';
import { headerBlockEnd, parseHeaders } from '../../../src/mailbox/headers.js';

// glibc's iconv (not the decoder's own libraries) makes the encoded bytes
const encode = (text: string, charset: string): Buffer => (charset === 'ISO-2022-JP' ? execFileSync('iconv', ['-f', 'UTF-8', '-t', charset], { input: text }) : iconv.encode(text, charset));
const word = (charset: string, text: string) => `=?${charset}?B?${encode(text, charset).toString('base64')}?=`;
const block = (lines: string[]) => Buffer.from(lines.join('\r\n') + '\r\n\r\nbody: Subject: not a header\r\n', 'latin1');

describe('parseHeaders', () => {
  it.each(['ISO-2022-JP', 'UTF-8', 'Shift_JIS', 'EUC-JP'])('decodes a %s encoded subject and display name', (charset) => {
    const h = parseHeaders(block([`From: ${word(charset, '経理部 山田')} <yamada@example.jp>`, `Subject: ${word(charset, '請求書のご送付')}`, 'Message-ID: <abc.1@example.jp>', 'To: alice@example.com']));
    expect(h.subject).toBe('請求書のご送付');
    expect(h.from).toBe('経理部 山田 <yamada@example.jp>');
    expect(h.messageId).toBe('abc.1@example.jp');
    expect(h.to).toBe('alice@example.com');
  });

  it('unfolds a subject folded over encoded-words and plain text', () => {
    const h = parseHeaders(block(['Subject: Re: ' + word('ISO-2022-JP', '来週の'), '\t' + word('ISO-2022-JP', '打ち合わせ'), ' about (2)', 'From: a@b']));
    expect(h.subject).toBe('Re: 来週の打ち合わせ about (2)');
  });

  it('reads raw UTF-8 and raw ISO-2022-JP header text, and a message without Message-ID', () => {
    const raw = Buffer.concat([Buffer.from('Subject: '), encode('見積書', 'ISO-2022-JP'), Buffer.from('\r\nFrom: 田中 <t@example.jp>\r\n\r\n')]);
    const h = parseHeaders(Buffer.from(raw.toString('latin1').replace('田中', ''), 'latin1'));
    expect(h.subject).toBe('見積書');
    expect(parseHeaders(Buffer.from('From: 田中 <t@example.jp>\n\n')).from).toBe('田中 <t@example.jp>');
    expect(h.messageId).toBe('');
  });

  it('takes the first of repeated fields and ignores the body', () => {
    const h = parseHeaders(block(['Subject: first', 'Subject: second']));
    expect(h.subject).toBe('first');
  });
});

describe('headerBlockEnd', () => {
  it('ends at the blank line (LF or CRLF), else at what was read', () => {
    expect(headerBlockEnd(Buffer.from('A: 1\nB: 2\n\nbody'))).toBe(10);
    expect(headerBlockEnd(Buffer.from('A: 1\r\n\r\nbody'))).toBe(6);
    expect(headerBlockEnd(Buffer.from('A: 1\nB: 2'))).toBe(9);
  });
});
