/**
 * Text formats of manifest.sha256 (coreutils' own, so `sha256sum -c` reads it) and of our
 * sidecar manifest.index, plus the byte order both are sorted in.
 */

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

/**
 * One line as GNU sha256sum writes it: `<hex>  <path>`. A name containing `\`, newline or CR
 * is escaped (`\\`, `\n`, `\r`) and the line then starts with `\` (coreutils 8.x/9.x).
 */
export function sha256sumLine(hex: string, path: string): string {
  if (!/[\\\n\r]/.test(path)) return `${hex}  ${path}\n`;
  const escaped = path.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  return `\\${hex}  ${escaped}\n`;
}

/** What the engine records of a regular file's inode: the index's columns, a hash's fstat, a link's lstat. */
export interface FileStat {
  ino: number;
  size: number;
  /** as Node's Stats.mtimeMs (fractional ms; round-trips exactly through its decimal form) */
  mtimeMs: number;
  mode: number;
  uid: number;
  gid: number;
}

/** manifest.index: one TSV line per regular file, in the same byte order as manifest.sha256. */
export interface IndexEntry extends FileStat {
  /** relative to the snapshot root */
  path: string;
  sha256: string;
  /**
   * true: a NEW inode in this snapshot — not an inode of the previous snapshot, so its hash was
   * computed in this run. Verify's default level checks only these: every other file is the
   * same inode (same bytes on disk) as a file an earlier snapshot already verified.
   */
  isNew: boolean;
  /** the index line it was parsed from (without its newline), when read from a manifest.index */
  line?: string;
}

/**
 * Line layout: `<sha256>\t<new 0|1>\t<ino>\t<size>\t<mtimeMs>\t<mode octal>\t<uid>\t<gid>\t<path>`.
 * Hash and flag come first at fixed width, so the writer can put a placeholder there and fill
 * it in later (pwrite) when a hash finishes, without holding lines in memory. The path is last
 * and escaped (`\\`, `\t`, `\n`, `\r`).
 */
export const INDEX_HEADER = '#mailbackup-index 1\tsha256\tnew\tino\tsize\tmtimeMs\tmode\tuid\tgid\tpath\n';
/** Offset of the `new` flag within an index line. */
export const INDEX_FLAG_OFFSET = 65;

export function escapeField(s: string): string {
  return /[\\\t\n\r]/.test(s) ? s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : s;
}

export function unescapeField(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\(.)/g, (_, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c));
}

export function formatIndexLine(e: IndexEntry): string {
  const hash = e.sha256 || '0'.repeat(64);
  return `${hash}\t${e.isNew ? 1 : 0}\t${e.ino}\t${e.size}\t${e.mtimeMs}\t${(e.mode & 0o7777).toString(8)}\t${e.uid}\t${e.gid}\t${escapeField(e.path)}\n`;
}

/** The path field of an index line (the last one), unescaped: what the line sorts by. */
export function indexLinePath(line: string): string {
  return unescapeField(line.slice(line.lastIndexOf('\t') + 1));
}

/** The size field of an index line, and whether its inode is new (without parsing the rest). */
export function indexLineSize(line: string): number {
  const ino = line.indexOf('\t', INDEX_FLAG_OFFSET + 2);
  return Number(line.slice(ino + 1, line.indexOf('\t', ino + 1)));
}

export const indexLineIsNew = (line: string): boolean => line.charCodeAt(INDEX_FLAG_OFFSET) === 49; // '1'

/**
 * The offsets of an index line's 8 tabs, or undefined when it is not laid out as INDEX_HEADER
 * says (a 64-character hash first, exactly 9 fields). Self-contained, like the other helpers the
 * fs workers run from their source text (fs-pool.ts): no module constant inside.
 */
export function indexLineTabs(line: string): number[] | undefined {
  // indexOf instead of split(): this runs once per file of the previous snapshot on every backup
  const t: number[] = [];
  for (let i = line.indexOf('\t'); i >= 0 && t.length < 8; i = line.indexOf('\t', i + 1)) t.push(i);
  return t.length === 8 && t[0] === 64 && line.indexOf('\t', t[7] + 1) < 0 ? t : undefined;
}

export function parseIndexLine(line: string): IndexEntry {
  const t = indexLineTabs(line);
  if (!t) throw new Error(`malformed manifest.index line: ${JSON.stringify(line.slice(0, 200))}`);
  const field = (k: number) => line.slice(t[k - 1] + 1, t[k]);
  return {
    path: unescapeField(line.slice(t[7] + 1)),
    ino: Number(field(2)),
    size: Number(field(3)),
    mtimeMs: Number(field(4)),
    mode: parseInt(field(5), 8),
    uid: Number(field(6)),
    gid: Number(field(7)),
    sha256: line.slice(0, 64),
    isNew: indexLineIsNew(line) && t[1] === INDEX_FLAG_OFFSET + 1,
    line,
  };
}

/**
 * An index line that is parsed only when a field other than its path is read: most lines of the
 * previous index are only compared by path, or handed to an fs worker as text (dir-link.ts).
 * `strip`: characters of the path to leave out (a component's `<name>/`). The line must be laid
 * out as indexLineTabs() expects; the reader checks that first.
 */
export class LazyIndexEntry implements IndexEntry {
  private cachedPath?: string;
  private parsed?: IndexEntry;

  constructor(readonly line: string, private readonly strip = 0) {}

  get path(): string {
    return (this.cachedPath ??= unescapeField(this.line.slice(this.line.lastIndexOf('\t') + 1)).slice(this.strip));
  }

  private get all(): IndexEntry {
    return (this.parsed ??= parseIndexLine(this.line));
  }

  get ino(): number { return this.all.ino; }
  get size(): number { return this.all.size; }
  get mtimeMs(): number { return this.all.mtimeMs; }
  get mode(): number { return this.all.mode; }
  get uid(): number { return this.all.uid; }
  get gid(): number { return this.all.gid; }
  get sha256(): string { return this.all.sha256; }
  get isNew(): boolean { return this.all.isNew; }
}

/**
 * The line for a file linked by name to the inode an index line describes (same path, same
 * inode, same attributes): that line, marked as shared — or undefined when it is not laid out as
 * this version writes it. Reusing it saves formatting a line per unchanged file of every backup.
 */
export function sharedIndexLine(line: string): string | undefined {
  const flagAt = 65; // INDEX_FLAG_OFFSET, inlined: the fs workers run this from its source text
  if (line.charCodeAt(flagAt + 1) !== 9) return undefined;
  const flag = line.charCodeAt(flagAt);
  if (flag === 48) return line; // '0'
  return flag === 49 ? `${line.slice(0, flagAt)}0${line.slice(flagAt + 1)}` : undefined;
}

/**
 * The helpers above that the fs workers run from their source text (fs-pool.ts), so that the
 * workers' reading and writing of index lines is this module's, not a copy of it.
 */
export const INDEX_LINE_HELPERS = [compareBytes, utf8Rank, keyOrder, escapeField, unescapeField, formatIndexLine, indexLineTabs, sharedIndexLine];
