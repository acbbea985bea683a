/**
 * Realistic RFC 5322 messages and Dovecot Maildir file names, deterministic for a seeded Rng.
 * Name: <time>.M<usec>P<pid>.<host>,S=<size>,W=<vsize>[:2,<flags>]  (W = size with CRLF line ends).
 */
import type { Rng } from './prng.js';

const HOST = 'mail.example.com';
const SUBJECTS = [
  'Meeting notes for Thursday',
  'Invoice 2024-0193',
  'Re: server maintenance window',
  'Your order has shipped',
  '会議の議事録',
  '請求書のご送付',
  'Re: 来週の打ち合わせについて',
  'Quarterly report (draft)',
  'Fwd: photos from the trip',
];
const WORDS = 'the backup disk mail server report meeting please find attached thanks regards tomorrow schedule update'.split(' ');
const JA_LINES = ['お世話になっております。', '添付ファイルをご確認ください。', 'よろしくお願いいたします。', '明日の会議は10時からです。'];

export interface MessageFile {
  /** base name: the part before ":2," (the whole name in new/) */
  base: string;
  content: Buffer;
  /** delivery time, seconds since the epoch; used as the file mtime */
  time: number;
}

const encodeSubject = (s: string): string =>
  /^[\x20-\x7e]*$/.test(s) ? s : `=?UTF-8?B?${Buffer.from(s, 'utf8').toString('base64')}?=`;

function body(rng: Rng, lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    if (rng.chance(0.2)) out.push(rng.pick(JA_LINES));
    else out.push(Array.from({ length: rng.int(5, 14) }, () => rng.pick(WORDS)).join(' '));
  }
  return out.join('\n');
}

function wrapBase64(data: Buffer): string {
  const b64 = data.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  return lines.join('\n');
}

/** One message from `from` to `to`, delivered at `time` (seconds). */
export function makeMessage(rng: Rng, to: string, time: number, attachmentFraction = 0.05): MessageFile {
  const from = `${rng.pick(['news', 'billing', 'bob', 'carol', 'tanaka', 'suzuki'])}@${rng.pick(['example.net', 'example.org', 'example.jp'])}`;
  const subject = rng.pick(SUBJECTS);
  const msgId = `<${rng.hex(8)}.${time}@${from.split('@')[1]}>`;
  const date = new Date(time * 1000).toUTCString().replace('GMT', '+0000');
  const headers = [
    `Return-Path: <${from}>`,
    `Delivered-To: ${to}`,
    `Received: from mx.${from.split('@')[1]} (mx.${from.split('@')[1]} [198.51.100.${rng.int(1, 254)}])`,
    `\tby ${HOST} (Postfix) with ESMTPS id ${rng.hex(5).toUpperCase()}`,
    `\tfor <${to}>; ${date}`,
    `DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=${from.split('@')[1]}; s=default;`,
    `\tb=${rng.hex(48)}`,
    `From: ${from}`,
    `To: ${to}`,
    `Subject: ${encodeSubject(subject)}`,
    `Date: ${date}`,
    `Message-ID: ${msgId}`,
    'MIME-Version: 1.0',
  ];
  let text: string;
  if (rng.chance(attachmentFraction)) {
    const boundary = `b_${rng.hex(8)}`;
    const attachment = rng.bytes(rng.int(20_000, 200_000));
    text = [
      ...headers,
      `Content-Type: multipart/mixed; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain; charset=UTF-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      body(rng, rng.int(3, 20)),
      `--${boundary}`,
      `Content-Type: application/pdf; name="document-${rng.int(100, 999)}.pdf"`,
      'Content-Transfer-Encoding: base64',
      '',
      wrapBase64(attachment),
      `--${boundary}--`,
      '',
    ].join('\n');
  } else {
    text = [...headers, 'Content-Type: text/plain; charset=UTF-8', 'Content-Transfer-Encoding: 8bit', '', body(rng, rng.int(3, 80)), ''].join('\n');
  }
  const content = Buffer.from(text, 'utf8');
  const lines = text.split('\n').length - 1;
  const base = `${time}.M${rng.int(100000, 999999)}P${rng.int(1000, 65000)}.${HOST},S=${content.length},W=${content.length + lines}`;
  return { base, content, time };
}

/** Maildir flags are kept sorted (D F P R S T), as Dovecot writes them. */
export function withFlags(base: string, flags: string): string {
  return `${base}:2,${[...new Set(flags)].sort().join('')}`;
}

export function splitName(name: string): { base: string; flags: string | undefined } {
  const i = name.indexOf(':2,');
  return i < 0 ? { base: name, flags: undefined } : { base: name.slice(0, i), flags: name.slice(i + 3) };
}
