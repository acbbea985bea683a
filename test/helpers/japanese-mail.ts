/**
 * Messages as Japanese mail arrives: subjects and display names as RFC 2047 encoded-words in
 * ISO-2022-JP, UTF-8, Shift_JIS and EUC-JP, folded subjects, one message without Message-ID.
 * The bytes are made by glibc's iconv, not by the library the code under test decodes with.
 */
import { execFileSync } from 'node:child_process';

function encodeCharset(text: string, charset: string): Buffer {
  return execFileSync('iconv', ['-f', 'UTF-8', '-t', charset], { input: text });
}

const word = (charset: string, text: string, enc: 'B' | 'Q' = 'B'): string => {
  const bytes = encodeCharset(text, charset);
  const payload = enc === 'B' ? bytes.toString('base64') : [...bytes].map((b) => (b >= 0x21 && b <= 0x7e && b !== 0x3d && b !== 0x3f && b !== 0x5f ? String.fromCharCode(b) : '=' + b.toString(16).toUpperCase().padStart(2, '0'))).join('');
  return `=?${charset}?${enc}?${payload}?=`;
};

export interface Planted {
  /** what find and IMAP show */
  subject: string;
  messageId?: string;
  raw: string;
}

function message(headers: string[], body: string): string {
  return [...headers, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=UTF-8', 'Content-Transfer-Encoding: 8bit', '', body, ''].join('\r\n');
}

/** One of each case, delivered to `to`. */
export function plantedMessages(to: string): Record<'quote' | 'progress' | 'memo', Planted> {
  return {
    // ISO-2022-JP subject folded over two encoded-words, ISO-2022-JP display name
    quote: {
      subject: '見積書 第42号のご送付',
      messageId: '<quote-42@example.jp>',
      raw: message([
        `From: ${word('ISO-2022-JP', '経理部 山田')} <yamada@example.jp>`, `To: ${to}`,
        `Subject: ${word('ISO-2022-JP', '見積書 ')}`, `\t${word('ISO-2022-JP', '第42号のご送付')}`,
        'Message-ID: <quote-42@example.jp>', 'Date: Tue, 24 Nov 2026 09:14:00 +0900',
      ], '見積書を添付いたします。'),
    },
    // UTF-8 subject folded with a Q-encoded word, UTF-8 display name
    progress: {
      subject: 'プロジェクト進捗報告 (第7週)',
      messageId: '<progress-7@example.jp>',
      raw: message([
        `From: ${word('UTF-8', '鈴木 花子')} <suzuki@example.jp>`, `To: ${to}`,
        `Subject: ${word('UTF-8', 'プロジェクト')}`, ` ${word('UTF-8', '進捗報告 (第7週)', 'Q')}`,
        'Message-ID: <progress-7@example.jp>', 'Date: Wed, 25 Nov 2026 10:00:00 +0900',
      ], '今週の進捗です。'),
    },
    // Shift_JIS subject, EUC-JP display name, no Message-ID
    memo: {
      subject: '打ち合わせメモ',
      raw: message([
        `From: ${word('EUC-JP', '佐藤 次郎')} <sato@example.jp>`, `To: ${to}`,
        `Subject: ${word('Shift_JIS', '打ち合わせメモ')}`, 'Date: Thu, 26 Nov 2026 18:30:00 +0900',
      ], 'メモです。'),
    },
  };
}
