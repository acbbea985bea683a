/**
 * Reads a file of separator-terminated records (lines of manifest.index, NUL-separated path
 * lists from rsync) in 1 MB chunks without holding the file in memory. Bytes after the last
 * separator are kept undecoded: they may end inside a multi-byte character.
 */
import { closeSync, openSync, readSync } from 'node:fs';

export function* readRecordsSync(path: string, separator: '\n' | '\0'): Generator<string> {
  const sep = separator.charCodeAt(0);
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  let rest = Buffer.alloc(0);
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      const cut = buf.lastIndexOf(sep, n - 1);
      if (cut < 0) {
        rest = Buffer.concat([rest, buf.subarray(0, n)]);
        continue;
      }
      const records = Buffer.concat([rest, buf.subarray(0, cut)]).toString('utf8').split(separator);
      rest = Buffer.from(buf.subarray(cut + 1, n));
      yield* records;
    }
    if (rest.length > 0) yield rest.toString('utf8');
  } finally {
    closeSync(fd);
  }
}
