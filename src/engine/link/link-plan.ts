/**
 * Pure decisions of the snapshot engine (docs/architecture.md): for each entry of the source
 * scan, whether the new snapshot takes it from the previous snapshot (a hardlink to the same
 * inode, whose hash the previous manifest.index already holds) or from the source (rsync).
 *
 * Two steps, so that memory follows the day's changes and not the tree:
 *  - decide() runs during the scan, merge-joined with the previous index (both in byte order):
 *    a file at the same path with the same size, mtime, mode and owner is linked at once; a new
 *    name that may be an old message renamed (maildir), or a second name of a source inode that
 *    has several (hardlinks), waits; anything else is copied.
 *  - resolveDeferred() (deferred.ts) runs after the scan, over the waiting names and the previous names that
 *    were gone: Dovecot's renames (a flag change, new/ → cur/, a MOVE that keeps the base name)
 *    link from the old name; a second name of a source inode links to the first one's new path.
 */
import type { IndexEntry } from '../../repository/manifest-format.js';
import type { ScanEntry } from '../scan/scan-entry.js';
import { linkable } from './linkable.js';
import type { RunReader } from '../manifest/prev-index.js';
import { isMessagePath } from '../../mailbox/maildir.js';

export type Decision =
  | { op: 'mkdir' | 'special'; e: ScanEntry }
  /** link <prev>/<from> (component-relative) to the new path; the hash is prev's */
  | { op: 'link'; e: ScanEntry; from: string; prev: IndexEntry }
  | { op: 'copy'; e: ScanEntry }
  | { op: 'defer'; e: ScanEntry };

/** Byte-order comparison of two component-relative paths (manifest-format.ts's rule). */
type Compare = (a: string, b: string) => number;

export class LinkPlanner {
  private prev: IndexEntry | undefined;
  /** previous names the source no longer has: candidates for a rename */
  readonly gone: IndexEntry[] = [];
  /** source inode (with several names) → the new path and prev entry of its first linked name */
  readonly linkedInodes = new Map<number, { path: string; prev: IndexEntry }>();
  /** the reader of prevEntries, when it hands over a leaf directory's lines as one run */
  private readonly runs: RunReader | undefined;

  constructor(
    private readonly prevEntries: Iterator<IndexEntry> | undefined,
    private readonly opts: {
      maildir: boolean;
      compare: Compare;
      /** ms: the previous run's start (less the coarse clock's lag): linkable()'s `since` */
      changedSince?: number;
    },
  ) {
    this.prev = prevEntries?.next().value as IndexEntry | undefined;
    this.runs = prevEntries && 'takeRun' in prevEntries ? (prevEntries as unknown as RunReader) : undefined;
  }

  /** a previous entry no name of the source matched */
  keepIfGone(p: IndexEntry): void {
    if (this.opts.maildir && isMessagePath(p.path)) this.gone.push(p);
  }

  private advance(path: string): IndexEntry | undefined {
    while (this.prev && this.opts.compare(this.prev.path, path) < 0) {
      this.keepIfGone(this.prev);
      this.prev = this.prevEntries!.next().value as IndexEntry | undefined;
    }
    return this.prev && this.prev.path === path ? this.prev : undefined;
  }

  decide(e: ScanEntry): Decision {
    if (e.kind === 'dir') return { op: 'mkdir', e };
    if (e.kind !== 'file') return { op: 'special', e };
    if (!this.prevEntries) return { op: 'copy', e };
    const p = this.advance(e.path);
    if (p) this.prev = this.prevEntries.next().value as IndexEntry | undefined;
    if (p && linkable(e, p, this.opts.changedSince)) {
      this.linking(e, p);
      return { op: 'link', e, from: p.path, prev: p };
    }
    return this.notLinked(e);
  }

  /** `e` is linked from `p`: the first linked name of a source inode with several is what the others link to */
  linking(e: ScanEntry, p: IndexEntry): void {
    if (e.nlink > 1 && !this.linkedInodes.has(e.ino)) this.linkedInodes.set(e.ino, { path: e.path, prev: p });
  }

  /** a name of a leaf directory its fs worker did not link (dir-link.ts): as decide() for a name without a previous entry */
  decideUnmatched(e: ScanEntry): Decision {
    if (e.kind === 'dir') return { op: 'mkdir', e };
    return e.kind === 'file' ? this.notLinked(e) : { op: 'special', e };
  }

  /** a file that is not linked by name: it may be a renamed message or a second name (wait), or is copied */
  notLinked(e: ScanEntry): Decision {
    return (this.opts.maildir && isMessagePath(e.path)) || e.nlink > 1 ? { op: 'defer', e } : { op: 'copy', e };
  }

  /** the changedSince of the options, for the fs workers (dir-link.ts) */
  get changedSince(): number | undefined {
    return this.opts.changedSince;
  }

  /**
   * For a leaf directory handed to an fs worker whole (dir-link.ts): passes what lies before
   * `dir/`, and takes the raw lines under it (their path field starts with `fieldPrefix`, the
   * escaped snapshot-relative `<component>/<dir>/`), `\n`-joined: from a RunReader
   * (prev-index.ts) as one run, without an entry per line. The caller decides for them; what the
   * worker did not match goes back through keepIfGone(). Entries without their line (not read
   * from a file) end the block: the worker then links none of those names, and the planner
   * counts their entries as gone when it passes them (more copying, never a wrong link).
   */
  takeBlock(dir: string, fieldPrefix: string): { text: string; count: number } {
    if (!this.prevEntries) return { text: '', count: 0 };
    this.advance(`${dir}/`);
    const under = (line: string | undefined): line is string => line !== undefined && line.startsWith(fieldPrefix, line.lastIndexOf('\t') + 1);
    const parts: string[] = [];
    let count = 0;
    for (let line = this.prev?.line; under(line); line = this.prev?.line) {
      parts.push(line);
      count++;
      const run = this.runs?.takeRun(Buffer.from(fieldPrefix));
      if (run && run.count > 0) {
        parts.push(run.text);
        count += run.count;
      }
      this.prev = this.prevEntries.next().value as IndexEntry | undefined;
    }
    return { text: parts.join('\n'), count };
  }

  /** takeBlock's lines one by one */
  takeLines(dir: string, fieldPrefix: string): string[] {
    const { text, count } = this.takeBlock(dir, fieldPrefix);
    return count === 0 ? [] : text.split('\n');
  }

  /** after the last decide(): the rest of the previous index is gone too */
  finish(): void {
    while (this.prev) {
      this.keepIfGone(this.prev);
      this.prev = this.prevEntries!.next().value as IndexEntry | undefined;
    }
  }
}
