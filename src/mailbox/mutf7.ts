/**
 * IMAP modified UTF-7 (RFC 3501 §5.1.3): how Dovecot names non-ASCII folders on disk
 * (.&ZeVnLIqe- is "日本語"). Users type UTF-8; the maildir holds the encoded form.
 */

export function encodeMutf7(s: string): string {
  let out = '';
  let pending: number[] = [];
  const flush = () => {
    if (!pending.length) return;
    const bytes = Buffer.alloc(pending.length * 2);
    pending.forEach((u, i) => bytes.writeUInt16BE(u, i * 2));
    out += '&' + bytes.toString('base64').replace(/=+$/, '').replace(/\//g, ',') + '-';
    pending = [];
  };
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e) {
      flush();
      out += c === 0x26 ? '&-' : s[i];
    } else {
      pending.push(c); // UTF-16 code units: surrogate pairs stay pairs, as the RFC wants
    }
  }
  flush();
  return out;
}

export function decodeMutf7(s: string): string {
  return s.replace(/&([^-]*)-/g, (_, b64: string) => {
    if (b64 === '') return '&';
    const bytes = Buffer.from(b64.replace(/,/g, '/'), 'base64');
    let r = '';
    for (let i = 0; i + 1 < bytes.length; i += 2) r += String.fromCharCode(bytes.readUInt16BE(i));
    return r;
  });
}
