/**
 * rsync adapter for the snapshot engine: `rsyncMirror` copies a --files-from list of names
 * (the engine's copies, then directories' attributes and symlinks) and reports what it did.
 *
 * stdout is parsed as a stream (never buffered): a first full backup itemizes every file,
 * which for 1,000,000 files would be ~100 MB of text.
 */
import { createInterface } from 'node:readline';
import { spawnStream, streamExit } from './shell.js';

/** rsync's "some files vanished before they could be transferred": normal on a live maildir. */
export const RSYNC_VANISHED = 24;
/** rsync's "some files/attrs were not transferred" */
const RSYNC_PARTIAL = 23;
const RSYNC_IO_TIMEOUT_S = 600;
// Our lines start with a marker so they cannot be confused with --stats lines.
const MARK = '@@';

export interface RsyncItem {
  /** the 11-character itemize code, e.g. `>f+++++++++`, `.f...p.....`, `*deleting  ` */
  code: string;
  /** file length (%l) */
  size: number;
  /** path relative to the destination, rsync's \#ooo escapes decoded */
  name: string;
}

export interface RsyncMirrorOptions {
  /** transfer root: the directory mirrored (dir form) or the base of `entries` (-R form) */
  srcRoot: string;
  dest: string;
  /** -R form: paths relative to srcRoot, each mirrored under dest by that path */
  entries?: string[];
  /** NUL-separated list of paths relative to srcRoot (implies -R, no recursion) */
  filesFrom?: string;
  /** -d: a listed `dir/` brings its direct entries (engine/copy/whole-dirs.ts) */
  dirs?: boolean;
  exclude?: string[];
  /** called for every itemized line */
  onItem?: (item: RsyncItem) => void;
  signal?: AbortSignal;
}

export interface RsyncOutcome {
  exitCode: number;
  /** names rsync reported as vanished (count), exit 24 */
  vanished: number;
  /** rsync's error lines (not the vanished notes): the first one, and how many there were */
  firstError?: string;
  errorLines: number;
  /** error lines that name a cause (not rsync's closing summary), and how many of those are ENOENT */
  causeLines: number;
  goneErrors: number;
  /** the whole stderr, for the log file only (never repeated in messages) */
  stderr: string;
  /** from --stats: the source side's regular files and their total size */
  regularFiles?: number;
  totalSize?: number;
}

export function rsyncArgs(o: RsyncMirrorOptions): string[] {
  // %b (bytes transferred) makes rsync log a received file after its transfer, not before it:
  // what rsync reports of a file is then what is in place (engine/copy/copy.ts).
  const args = ['-aHAX', '--numeric-ids', `--out-format=${MARK}%i %l %b %n`, `--timeout=${RSYNC_IO_TIMEOUT_S}`];
  // Under live IMAP traffic rsync's three processes were seen deadlocked (all in poll, every
  // socket empty) in about one run of ten with incremental recursion; Dovecot's MOVE briefly
  // hardlinks a message, and -H waits for a link group whose first name vanished. The whole
  // file list up front avoids it; --timeout turns any other hang into exit 30, never a night-long wait.
  if (!o.filesFrom) args.push('--no-inc-recursive');
  if (o.dirs) args.push('--dirs');
  args.push('--stats');
  for (const p of o.exclude ?? []) args.push(`--exclude=${p}`);
  const root = o.srcRoot.endsWith('/') ? o.srcRoot : o.srcRoot + '/';
  const dest = o.dest.endsWith('/') ? o.dest : o.dest + '/';
  if (o.filesFrom) {
    // a listed name may be gone by the time rsync reads it (a live maildir renames all day)
    args.push(`--files-from=${o.filesFrom}`, '--from0', '--ignore-missing-args', '--', root, dest);
  } else if (o.entries) {
    // `base/./entry`: -R keeps only the part after `/./`, i.e. the path relative to base
    args.push('-R', '--', ...o.entries.map((e) => `${root}./${e}`), dest);
  } else {
    args.push('--', root, dest);
  }
  return args;
}

/** rsync writes unprintable bytes of names as `\#ooo` (octal). */
function decodeRsyncName(s: string): string {
  if (!s.includes('\\#')) return s;
  const bytes: number[] = [];
  const raw = Buffer.from(s, 'utf8');
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === 0x5c && raw[i + 1] === 0x23 && /^[0-7]{3}$/.test(raw.subarray(i + 2, i + 5).toString())) {
      bytes.push(parseInt(raw.subarray(i + 2, i + 5).toString(), 8));
      i += 4;
    } else bytes.push(raw[i]);
  }
  return Buffer.from(bytes).toString('utf8');
}

function parseItemLine(line: string): RsyncItem | undefined {
  if (!line.startsWith(MARK)) return undefined;
  const body = line.slice(MARK.length);
  const code = body.slice(0, 11);
  const rest = body.slice(12);
  const sp = rest.indexOf(' ');
  const sp2 = sp < 0 ? -1 : rest.indexOf(' ', sp + 1);
  if (sp2 < 0) return undefined;
  return { code, size: Number(rest.slice(0, sp)) || 0, name: decodeRsyncName(rest.slice(sp2 + 1)) };
}

function parseCount(s: string): number {
  return Number(s.replace(/[,.']/g, ''));
}

export async function rsyncMirror(o: RsyncMirrorOptions): Promise<RsyncOutcome> {
  const child = spawnStream('rsync', rsyncArgs(o), { signal: o.signal });
  const outcome: RsyncOutcome = { exitCode: 0, vanished: 0, errorLines: 0, causeLines: 0, goneErrors: 0, stderr: '' };
  const lines = createInterface({ input: child.stdout!, crlfDelay: Infinity });
  for await (const line of lines) {
    const item = parseItemLine(line);
    if (item) {
      o.onItem?.(item);
      continue;
    }
    const files = /^Number of files: [\d,.']+ \(reg: ([\d,.']+)/.exec(line);
    if (files) outcome.regularFiles = parseCount(files[1]);
    const size = /^Total file size: ([\d,.']+) bytes/.exec(line);
    if (size) outcome.totalSize = parseCount(size[1]);
  }
  const r = await streamExit(child, 'rsync');
  outcome.exitCode = r.exitCode;
  Object.assign(outcome, summarizeRsyncStderr(r.stderr));
  return countGoneAsVanished(outcome);
}

/**
 * A name that vanished between rsync's lstat and its reading of the xattrs/ACLs (-AX) is
 * reported as an error (exit 23: `get_xattr_names: llistxattr(…) failed: No such file or
 * directory (2)`), not as vanished. When every error is just that, it is a vanished name.
 */
export function countGoneAsVanished(out: RsyncOutcome): RsyncOutcome {
  if (out.exitCode !== RSYNC_PARTIAL || out.goneErrors === 0 || out.goneErrors !== out.causeLines) return out;
  return { ...out, exitCode: RSYNC_VANISHED, vanished: out.vanished + out.goneErrors };
}

/**
 * rsync's stderr split into what a person needs: vanished names are counted (normal on a live
 * store), the error lines are reduced to the first one and a count; the rest is for the log file.
 */
export function summarizeRsyncStderr(stderr: string): Pick<RsyncOutcome, 'vanished' | 'firstError' | 'errorLines' | 'causeLines' | 'goneErrors' | 'stderr'> {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const vanished = lines.filter((l) => /^file has vanished: /.test(l)).length;
  const errors = lines.filter((l) => !/^file has vanished: /.test(l) && !/^rsync warning: some files vanished/.test(l));
  // rsync's closing "rsync error: some files/attrs were not transferred … (code 23)" says less than the line that caused it
  const causes = errors.filter((l) => !/^rsync error: /.test(l));
  const gone = causes.filter((l) => /: No such file or directory \(2\)$/.test(l)).length;
  return { vanished, firstError: causes[0] ?? errors[0], errorLines: errors.length, causeLines: causes.length, goneErrors: gone, stderr };
}

/** One short line for a failure message: the first error line and how many more there were. */
export function describeRsyncFailure(out: RsyncOutcome): string {
  if (!out.firstError) return '(no message)';
  const more = out.errorLines - 1;
  return more > 0 ? `${out.firstError} (and ${more} more line${more === 1 ? '' : 's'} in the log file)` : out.firstError;
}
