/**
 * Reads a file of separator-terminated records (lines of manifest.index, NUL-separated path
 * lists from rsync) in 1 MB chunks without holding the file in memory. Bytes after the last
 * separator are kept undecoded: they may end inside a multi-byte character.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** `start`: a byte offset at which a record begins (0: the whole file). */
export function* readRecordsSync(path: string, separator: '\n' | '\0', start = 0): Generator<string> {
  const sep = separator.charCodeAt(0);
  const fd = openSync(path, 'r');
  let pos = start;
  const buf = Buffer.allocUnsafe(1 << 20);
  let rest = Buffer.alloc(0);
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      pos += n;
      const data = rest.length > 0 ? Buffer.concat([rest, buf.subarray(0, n)]) : buf.subarray(0, n);
      // Each record decoded on its own: split() of one decoded chunk gives slices that keep the
      // whole 1 MB chunk alive while any of them is held (an index entry kept for a rename
      // pinned its chunk: 880 MB resident at 1 M files).
      let from = 0;
      for (let i = data.indexOf(sep, 0); i >= 0; i = data.indexOf(sep, from)) {
        yield data.toString('utf8', from, i);
        from = i + 1;
      }
      rest = Buffer.from(data.subarray(from));
    }
    if (rest.length > 0) yield rest.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * The offset of a line at or before the first line whose last tab-separated field (a path, in
 * byte order) is >= `prefix`, found by bisecting the file: a component of a 1 M-line index is
 * reached in a few dozen reads instead of a pass over the lines before it. Escaping (`\\`, `\t`
 * …) cannot move a path across a prefix of lowercase letters: every escaped byte and its
 * escape sort below them alike.
 */
export function seekLineSync(path: string, prefix: string): number {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(1 << 16);
  const NL = 10;
  try {
    let lo = 0;
    let hi = fstatSync(fd).size;
    while (hi - lo > buf.length) {
      const mid = Math.floor((lo + hi) / 2);
      const n = readSync(fd, buf, 0, buf.length, mid);
      const first = buf.indexOf(NL, 0);
      const end = first < 0 ? -1 : buf.indexOf(NL, first + 1);
      if (end < 0 || end >= n) {
        hi = mid; // no whole line in reach (the end of the file, or a huge line): look lower
        continue;
      }
      const line = buf.toString('utf8', first + 1, end);
      const field = line.slice(line.lastIndexOf('\t') + 1);
      if (field < prefix) lo = mid + first + 1;
      else hi = mid;
    }
    return lo;
  } finally {
    closeSync(fd);
  }
}
