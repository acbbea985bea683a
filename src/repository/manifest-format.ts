/**
 * The manifest's formats, written and read here only: manifest.sha256 (coreutils' own, so
 * `sha256sum -c` reads it) and our sidecar manifest.index, both in byte order (byte-order.ts).
 */
import { compareBytes, keyOrder, utf8Rank } from './byte-order.js';
import { readRecordsSync } from './read-records.js';

export { compareBytes, keyOrder, sortDirEntries, utf8Rank } from './byte-order.js';

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

/**
 * Reading manifest.sha256: sha256sum escapes names holding a backslash, newline or CR (such a
 * line starts with `\` and the name uses `\\`, `\n`, `\r`); those are undone here so the paths
 * match the files on disk.
 */
export class ManifestError extends Error {}

export interface ManifestEntry {
  path: string;
  sha256: string;
}

const HEX = /^[0-9a-f]{64}$/;

function unescapeName(name: string): string {
  return name.replace(/\\([\\nr])/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : '\\'));
}

/** `<sha256>  <path>` (or ` *` for binary mode), `\` first when the name is escaped */
function parseLine(line: string): ManifestEntry | undefined {
  const escaped = line.charCodeAt(0) === 92; // backslash
  const at = escaped ? 1 : 0;
  const sep = line.charCodeAt(at + 65);
  if (line.length < at + 67 || line.charCodeAt(at + 64) !== 32 || (sep !== 32 && sep !== 42)) return undefined;
  const sha256 = line.slice(at, at + 64);
  if (!HEX.test(sha256)) return undefined;
  const name = line.slice(at + 66);
  const path = escaped ? unescapeName(name) : name;
  return { path: path.startsWith('./') ? path.slice(2) : path, sha256 };
}

/**
 * The entries in file order, read synchronously in 1 MB chunks (a line at a time through
 * readline and an async generator cost the main thread about 5 µs per file: seconds at 1 M);
 * throws ManifestError on a malformed line or a read error.
 */
export function* manifestEntries(file: string): Generator<ManifestEntry> {
  let n = 0;
  const lines = readRecordsSync(file, '\n');
  for (;;) {
    let r: IteratorResult<string>;
    try {
      r = lines.next();
    } catch (err) {
      throw new ManifestError(`cannot read ${file}: ${(err as Error).message}`);
    }
    if (r.done) return;
    n++;
    const line = r.value.endsWith('\r') ? r.value.slice(0, -1) : r.value;
    if (!line) continue;
    const e = parseLine(line);
    if (!e) throw new ManifestError(`${file} line ${n} is not "<sha256>  <path>": ${JSON.stringify(line.slice(0, 120))}`);
    yield e;
  }
}

/** path → sha256 of the whole manifest (only for a manifest that is not in byte order). */
export async function readManifest(file: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const e of manifestEntries(file)) out.set(e.path, e.sha256);
  return out;
}
