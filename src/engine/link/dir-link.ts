/**
 * A leaf directory (one that holds no directory: a maildir's cur/, new/, tmp/, most of a mail
 * store) scanned and linked in one job on an fs worker: its listing and lstats, the merge-join
 * with the previous index's lines for it, the link of each unchanged file, the check of what was
 * linked and its index line. The main thread sees only what is not simply linked: measured on
 * the 100k-message benchmark tree, its work per unchanged file (objects, parsing, and their
 * garbage) was most of its 1.4 s in an incremental.
 *
 * The decision is LinkPlanner.decide's for a file it links; everything else (a new name, a
 * changed file, a second name of an inode) goes back to the main thread, which decides as for
 * any other directory. linkDirectory runs in the worker from its source text (fs-pool.ts): it
 * may use only its arguments, DIR_LINK_HELPERS among them.
 */
import type { linkSync, lstatSync, readdirSync, Stats, unlinkSync } from 'node:fs';
import { compareBytes, formatIndexLine, indexLineTabs, keyOrder, sharedIndexLine, unescapeField } from '../../repository/manifest-format.js';
import { copiesInstead, linkable } from './linkable.js';

/**
 * What linkDirectory calls, passed in rather than imported: from its source text in a worker an
 * imported name (or a test runner's rewrite of one) would not resolve. Each is self-contained
 * or calls only its own module's functions (INDEX_LINE_HELPERS).
 */
export const DIR_LINK_HELPERS = { compareBytes, copiesInstead, formatIndexLine, indexLineTabs, keyOrder, linkable, linkFile, packResult, sharedIndexLine, sortedNames, unescapeField };
export type DirLinkHelpers = typeof DIR_LINK_HELPERS;

/**
 * Per name handed back: the 9 lstat numbers of a listing (fs-pool.ts LISTING_STRIDE: kind, ino,
 * size, mtimeMs, ctimeMs, mode, uid, gid, nlink), then the status.
 */
export const BACK_STRIDE = 10;
export const DIR_LINK = { UNDECIDED: 0, LINKED: 1, FAILED: 2 } as const;

export interface DirLinkJob {
  /** the directory in the source, in the previous snapshot and in the new one, each ending in `/` */
  srcBase: string;
  fromBase: string;
  toBase: string;
  /** the previous index's lines under this directory, `\n`-joined, in byte order */
  prev: string;
  /** the snapshot-relative path of the directory with its `/` (`mail/vmail/…/cur/`) */
  pathPrefix: string;
  /** its length as it is written (escaped) in the lines' path field */
  escapedPrefixLength: number;
  /** LinkPlanner's changedSince: linkable()'s `since` */
  changedSince?: number;
}

export interface DirLinkResult {
  /** the directory was gone (renamed or deleted since its parent was listed) */
  dirGone: boolean;
  /** the index lines of the linked files, each with its newline, in byte order */
  out: string;
  linkedFiles: number;
  linkedBytes: number;
  /** what the listing held (the scan's counts and the progress line's totals) */
  entries: number;
  files: number;
  bytes: number;
  /** names gone between the listing and their lstat */
  vanished: number;
  /** in byte order: every name not linked, and linked ones with several names; NUL-joined */
  backNames: string;
  /** per back name: BACK_STRIDE numbers */
  back: Float64Array;
  /** per back name: the index of its previous line, or -1 */
  backPrev: Int32Array;
  /** indexes of the previous lines no name matched */
  gone: Int32Array;
}

export interface DirLinkFs {
  readdirSync: typeof readdirSync;
  linkSync: typeof linkSync;
  lstatSync: typeof lstatSync;
  unlinkSync: typeof unlinkSync;
}

export function linkDirectory(job: DirLinkJob, fs: DirLinkFs, h: DirLinkHelpers): DirLinkResult {
  const { compareBytes, keyOrder, unescapeField } = h;
  const r: DirLinkResult = {
    dirGone: false, out: '', linkedFiles: 0, linkedBytes: 0, entries: 0, files: 0, bytes: 0, vanished: 0,
    backNames: '', back: new Float64Array(0), backPrev: new Int32Array(0), gone: new Int32Array(0),
  };
  const prev = job.prev === '' ? [] : job.prev.split('\n');
  const names = h.sortedNames(job.srcBase, fs, keyOrder);
  if (!names) {
    r.dirGone = true;
    r.gone = Int32Array.from(prev.keys());
    return r;
  }
  const got = { out: [] as string[], backNames: [] as string[], back: [] as number[], backPrev: [] as number[] };
  const matched = new Uint8Array(prev.length);
  const nameOf = (k: number) => unescapeField(prev[k].slice(prev[k].lastIndexOf('\t') + 1 + job.escapedPrefixLength));
  let k = 0;
  let prevName = prev.length > 0 ? nameOf(0) : undefined;
  for (const name of names) {
    let st;
    try {
      st = fs.lstatSync(job.srcBase + name);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
      r.vanished++;
      continue;
    }
    // a directory made after the scan's first look found none here: as if made after this listing
    if (st.isDirectory()) continue;
    r.entries++;
    const kind = st.isFile() ? 1 : st.isSymbolicLink() ? 3 : 4;
    let status = 0; // DIR_LINK.UNDECIDED
    let at = -1;
    if (kind === 1) {
      r.files++;
      r.bytes += st.size;
      while (prevName !== undefined && compareBytes(prevName, name) < 0) prevName = ++k < prev.length ? nameOf(k) : undefined;
      if (prevName === name) {
        at = k;
        matched[k] = 1;
        prevName = ++k < prev.length ? nameOf(k) : undefined;
        const linked = h.linkFile(job, fs, h, st, name, prev[at]);
        status = linked.status;
        if (linked.line !== undefined) {
          got.out.push(linked.line);
          r.linkedFiles++;
          r.linkedBytes += linked.size!;
        }
      }
    }
    if (status === 1 && st.nlink < 2) continue;
    got.backNames.push(name);
    got.back.push(kind, st.ino, st.size, st.mtimeMs, st.ctimeMs, st.mode, st.uid, st.gid, st.nlink, status);
    got.backPrev.push(at);
  }
  return h.packResult(r, got, matched);
}

/**
 * One name whose previous index line is `line`: linked when linkable() says so, the link checked
 * (its lstat must still match the source), and its index line. Status as DIR_LINK: 0 not tried,
 * 1 linked, 2 failed (the file is taken from the source). Runs in the worker like linkDirectory.
 */
export function linkFile(
  job: DirLinkJob, fs: DirLinkFs, h: DirLinkHelpers, st: Stats, name: string, line: string,
): { status: 0 | 1 | 2; line?: string; size?: number } {
  const { copiesInstead, formatIndexLine, indexLineTabs, linkable, sharedIndexLine } = h;
  const t = indexLineTabs(line);
  const field = (f: number) => line.slice(t![f - 1] + 1, t![f]);
  const p = t && { size: Number(field(3)), mtimeMs: Number(field(4)), mode: parseInt(field(5), 8), uid: Number(field(6)), gid: Number(field(7)) };
  if (!p || !linkable(st, p, job.changedSince)) return { status: 0 };
  const to = job.toBase + name;
  try {
    fs.linkSync(job.fromBase + name, to);
  } catch (err) {
    if (!copiesInstead((err as NodeJS.ErrnoException).code)) throw err;
    return { status: 2 }; // taken from the source instead
  }
  // the inode was just touched by link(): this lstat is served from the inode cache
  const ln = fs.lstatSync(to);
  if (!ln.isFile() || !linkable(st, ln)) {
    fs.unlinkSync(to); // someone changed the old snapshot
    return { status: 2 };
  }
  const same = String(ln.ino) === field(2) ? sharedIndexLine(line) : undefined;
  return {
    status: 1, size: ln.size, line: same !== undefined ? same + '\n' : formatIndexLine({
      path: job.pathPrefix + name, ino: ln.ino, size: ln.size, mtimeMs: ln.mtimeMs, mode: ln.mode, uid: ln.uid, gid: ln.gid, sha256: line.slice(0, 64), isNew: false,
    }),
  };
}

/** The directory's names in byte order, or undefined when it is gone (renamed or deleted since its parent was listed). */
export function sortedNames(dir: string, fs: DirLinkFs, keyOrder: DirLinkHelpers['keyOrder']): string[] | undefined {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
    return undefined;
  }
  return names.sort(keyOrder(names));
}

/** What the walk collected, in the form that crosses to the main thread cheaply (one string, typed arrays). */
export function packResult(
  r: DirLinkResult, got: { out: string[]; backNames: string[]; back: number[]; backPrev: number[] }, matched: Uint8Array,
): DirLinkResult {
  const gone: number[] = [];
  for (let j = 0; j < matched.length; j++) if (!matched[j]) gone.push(j);
  r.out = got.out.join('');
  r.backNames = got.backNames.join('\0');
  r.back = Float64Array.from(got.back);
  r.backPrev = Int32Array.from(got.backPrev);
  r.gone = Int32Array.from(gone);
  return r;
}
