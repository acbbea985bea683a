/**
 * The previous snapshot's index lines of one component, read forward once in manifest order:
 * entry by entry for the planner's decisions (LinkPlanner.decide), or, for a leaf directory
 * handed to an fs worker whole (dir-link.ts), its whole run of lines at once as one string —
 * found in the read buffer and decoded once, without a string and an entry per line (measured on
 * the 100k-message tree: the per-line pass was the largest part of the main thread's scan).
 *
 * A missing index means no entries; an unreadable or malformed one ends the entries with a
 * warning (more copying, never a failed backup). Lines of a run are not checked here: the fs
 * worker checks each one it reads, and copies the file of a line it cannot read.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { Logger } from 'pino';
import { indexLineTabs, type IndexEntry } from '../../repository/manifest-format.js';
import { LazyIndexEntry } from './lazy-index-entry.js';
import { seekLineSync } from '../../repository/read-records.js';

const CHUNK = 1 << 20;
const NL = 10;
const TAB = 9;

/** What LinkPlanner.takeBlock asks of a reader that can hand over a run of lines at once. */
export interface RunReader {
  /** the lines from here on whose path field starts with `fieldPrefix`, `\n`-joined, and how many */
  takeRun(fieldPrefix: Buffer): { text: string; count: number };
}

export class PrevIndexReader implements Iterator<IndexEntry>, RunReader {
  private fd: number | undefined;
  private buf: Buffer;
  /** start of the current line in buf, and the bytes of buf that hold file data */
  private at = 0;
  private len = 0;
  /** file offset of the byte after buf[len - 1] */
  private pos = 0;
  private eof = false;
  private ended = false;
  private header: boolean;
  private readonly prefix: Buffer;
  private readonly strip: number;

  /** `chunk`: the first read size (tests make it small to cross buffer boundaries) */
  constructor(private readonly file: string, name: string, private readonly log: Logger, chunk = CHUNK) {
    this.buf = Buffer.allocUnsafe(chunk);
    this.prefix = Buffer.from(`${name}/`);
    this.strip = name.length + 1;
    this.header = false;
    try {
      this.pos = seekLineSync(file, `${name}/`);
      this.header = this.pos === 0;
      this.fd = openSync(file, 'r');
    } catch (err) {
      this.fail(err);
    }
  }

  next(): IteratorResult<IndexEntry> {
    for (;;) {
      const nl = this.lineEnd();
      if (nl < 0) return this.end();
      const at = this.at;
      const kind = this.classify(at, nl);
      if (kind === 'past') return this.end();
      this.at = nl + 1;
      if (kind === 'skip') continue;
      const line = this.buf.toString('utf8', at, nl);
      if (!indexLineTabs(line)) {
        this.fail(new Error(`malformed manifest.index line: ${JSON.stringify(line.slice(0, 200))}`));
        return this.end();
      }
      return { value: new LazyIndexEntry(line, this.strip), done: false };
    }
  }

  takeRun(fieldPrefix: Buffer): { text: string; count: number } {
    const parts: string[] = [];
    let count = 0;
    let from = this.at;
    for (;;) {
      const nl = this.lineEnd(() => {
        // the buffer moves under the run: what it holds of the run so far is decoded first
        if (this.at > from) parts.push(this.buf.toString('utf8', from, this.at - 1));
        from = 0;
      });
      // fieldPrefix starts with the component's `<name>/`: a line under it is this component's
      if (nl < 0 || !this.fieldStarts(this.at, nl, fieldPrefix)) break;
      this.at = nl + 1;
      count++;
    }
    if (this.at > from) parts.push(this.buf.toString('utf8', from, this.at - 1));
    return { text: parts.join('\n'), count };
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** where the current line ends (its newline, or the end of the file), -1 when none is left */
  private lineEnd(beforeMove?: () => void): number {
    if (this.ended) return -1;
    for (;;) {
      const nl = this.at < this.len ? this.buf.indexOf(NL, this.at) : -1;
      if (nl >= 0 && nl < this.len) return nl;
      if (this.eof) return this.at < this.len ? this.len : -1;
      beforeMove?.();
      if (!this.fill()) return -1;
    }
  }

  /** moves the unread bytes to the front and reads more behind them (a bigger buffer for a long line) */
  private fill(): boolean {
    const rest = this.len - this.at;
    if (rest === this.buf.length) {
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(bigger, 0, this.at, this.len);
      this.buf = bigger;
    } else this.buf.copy(this.buf, 0, this.at, this.len);
    this.at = 0;
    this.len = rest;
    try {
      const n = readSync(this.fd!, this.buf, this.len, this.buf.length - this.len, this.pos);
      if (n === 0) this.eof = true;
      this.pos += n;
      this.len += n;
      return true;
    } catch (err) {
      this.fail(err);
      return false;
    }
  }

  /** a line of this component, one to pass over (header, blank, an earlier component), or past the component */
  private classify(at: number, nl: number): 'ours' | 'skip' | 'past' {
    if (nl === at) return 'skip';
    if (this.header) {
      this.header = false;
      if (this.buf[at] === 0x23) return 'skip'; // '#'
    }
    const tab = this.buf.lastIndexOf(TAB, nl - 1);
    const field = tab < at ? at : tab + 1;
    const p = this.prefix;
    const c = this.buf.compare(p, 0, p.length, field, Math.min(nl, field + p.length));
    if (c === 0) return 'ours';
    return c > 0 ? 'past' : 'skip';
  }

  private fieldStarts(at: number, nl: number, fieldPrefix: Buffer): boolean {
    const tab = this.buf.lastIndexOf(TAB, nl - 1);
    if (tab < at || nl - tab - 1 < fieldPrefix.length) return false;
    return this.buf.compare(fieldPrefix, 0, fieldPrefix.length, tab + 1, tab + 1 + fieldPrefix.length) === 0;
  }

  private end(): IteratorResult<IndexEntry> {
    this.ended = true;
    this.close();
    return { value: undefined, done: true };
  }

  private fail(err: unknown): void {
    this.ended = true;
    this.close();
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    this.log.warn({ file: this.file, err: (err as Error).message }, 'previous manifest.index unreadable; copying those files again');
  }
}
