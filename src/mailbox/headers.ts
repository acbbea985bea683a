/**
 * The few header fields `find` and the message index need, taken from a message's header block
 * and decoded to plain text: RFC 2047 encoded-words in any charset (ISO-2022-JP, Shift_JIS,
 * EUC-JP, UTF-8 …) and folded lines. Decoding is libmime's (nodemailer's own MIME library);
 * this file only cuts the block and unfolds it.
 */
import libmime from 'libmime';

/** A header block is read up to this many bytes (a message's headers rarely pass 8 KiB). */
export const HEADER_BLOCK_MAX = 64 * 1024;

export interface MessageHeaders {
  /** Message-ID without its angle brackets ('' when the message has none) */
  messageId: string;
  from: string;
  to: string;
  subject: string;
}

/**
 * Where the header block of the first `length` bytes of `buf` ends: after the blank line, else
 * at `length`. Self-contained: the hash pool's workers run it from its source text.
 */
export function headerBlockEnd(buf: Buffer, length = buf.length): number {
  for (let i = buf.indexOf(10); i >= 0 && i < length; i = buf.indexOf(10, i + 1)) {
    const next = buf[i + 1] === 13 ? i + 2 : i + 1;
    if (next >= length) break;
    if (buf[next] === 10) return i + 1;
  }
  return length;
}

/** Raw header text as bytes → a string: UTF-8 when it is valid UTF-8, else byte for byte (latin1). */
function rawText(bytes: Buffer): string {
  const s = bytes.toString('utf8');
  if (!s.includes('\ufffd')) return s;
  return bytes.toString('latin1');
}

/** One field's value: encoded-words decoded; raw ISO-2022-JP (escape sequences) decoded too. */
function decodeHeaderValue(value: string): string {
  let v = value;
  if (v.includes('\x1b$')) v = libmime.decodeWord('ISO-2022-JP', 'B', Buffer.from(v, 'latin1').toString('base64'));
  try {
    v = libmime.decodeWords(v);
  } catch {
    // a broken encoded-word stays as written: still findable by its raw text
  }
  return v.replace(/[\t\r\n]+/g, ' ').replace(/ {2,}/g, ' ').trim();
}

const WANTED: Record<string, keyof MessageHeaders> = { 'message-id': 'messageId', from: 'from', to: 'to', subject: 'subject' };

/** The fields of a header block (bytes up to the blank line); the first occurrence of each wins. */
export function parseHeaders(block: Buffer): MessageHeaders {
  const out: MessageHeaders = { messageId: '', from: '', to: '', subject: '' };
  const seen = new Set<string>();
  // unfold: a line starting with space or tab continues the previous one
  const lines = rawText(block).split(/\r?\n/);
  let name = '';
  let value = '';
  const flush = () => {
    const key = WANTED[name.toLowerCase()];
    if (key && !seen.has(key)) {
      seen.add(key);
      out[key] = key === 'messageId' ? messageIdOf(value) : decodeHeaderValue(value);
    }
  };
  for (const line of lines) {
    if (line === '') break;
    if ((line[0] === ' ' || line[0] === '\t') && name) {
      value += line;
      continue;
    }
    flush();
    const colon = line.indexOf(':');
    name = colon > 0 ? line.slice(0, colon).trim() : '';
    value = colon > 0 ? line.slice(colon + 1) : '';
  }
  flush();
  return out;
}

/** `<abc@host>` → `abc@host`; what `--message-id` is compared with (brackets optional there too). */
function messageIdOf(value: string): string {
  const v = value.trim();
  const m = /<([^>]*)>/.exec(v);
  return (m ? m[1] : v.split(/\s+/)[0] ?? '').trim();
}
