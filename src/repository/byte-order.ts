/** The byte order manifest.sha256 and manifest.index are sorted in (what `LC_ALL=C sort` does). */

/**
 * Byte order of the UTF-8 encodings (what `LC_ALL=C sort` does). JS string comparison is UTF-16
 * code-unit order, which equals code-point (= UTF-8 byte) order except where a surrogate pair
 * meets a unit of U+E000–U+FFFF; so the strings are compared unit by unit and only the first
 * differing unit is ranked (no Buffer, no regex: this runs a few times per file of every backup).
 */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  const n = a.length < b.length ? a.length : b.length;
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length < b.length ? -1 : 1;
  const x = utf8Rank(a.charCodeAt(i));
  const y = utf8Rank(b.charCodeAt(i));
  return x < y ? -1 : 1;
}

/**
 * A UTF-16 code unit's place in UTF-8 byte order at the first unit where two strings differ:
 * surrogates (code points above U+FFFF, 4 UTF-8 bytes) sort after U+E000–U+FFFF.
 */
export function utf8Rank(u: number): number {
  if (u < 0xd800) return u;
  return u >= 0xe000 ? u - 0x800 : u + 0x2000;
}

/**
 * Sorts one directory's entries so that a depth-first walk yields full paths in byte order:
 * a directory sorts as `name/`, exactly where its children's paths `name/...` belong
 * (e.g. `a.txt` < `a/x` < `a0`, since `.` < `/` < `0`).
 */
export function sortDirEntries<T extends { name: string; isDirectory(): boolean }>(entries: T[]): T[] {
  const keyed = entries.map((e) => ({ e, key: e.isDirectory() ? e.name + '/' : e.name }));
  const order = keyOrder(keyed.map((k) => k.key));
  keyed.sort((x, y) => order(x.key, y.key));
  return keyed.map((k) => k.e);
}

/**
 * The comparison that sorts these keys (names, `name/` for directories) in byte order. UTF-16
 * order is UTF-8 byte order unless a name holds a surrogate pair: checking that once per
 * directory keeps the common case a plain comparison (mail folders hold thousands of names).
 * Self-contained but for compareBytes: the fs workers run it from its source text.
 */
export function keyOrder(keys: string[]): (a: string, b: string) => number {
  const slow = keys.some((k) => /[\uD800-\uDFFF]/.test(k));
  return slow ? compareBytes : (a, b) => (a < b ? -1 : a > b ? 1 : 0);
}
