/**
 * What one component contributes to the manifest, known from its plan (sync.ts) instead of a
 * walk of the new snapshot: index lines of the files linked during the scan and of the files
 * copied, each list already in byte order and kept in scratch files (not memory), plus the few
 * entries decided afterwards (renames, completeness check) and the names the check removed.
 * writeManifest merges them (manifest.ts).
 */
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { formatIndexLine, indexLineTabs, LazyIndexEntry, type IndexEntry } from './manifest-format.js';
import { readComponentLinesSync } from './manifest-index.js';
import { readRecordsSync } from './read-records.js';
import type { ScanEntry } from './scan.js';
import type { ToCopy } from './copy.js';

/** where parts go when the caller names no scratch directory (snapshot metadata: never listed) */
export const DEFAULT_SCRATCH = '.engine.tmp';

export interface ComponentPart {
  name: string;
  /** index lines (snapshot-relative paths), byte order */
  linkedFile: string;
  copiedFile: string;
  /** entries decided after the scan, any order */
  extra: IndexEntry[];
  /** snapshot-relative paths removed after they were listed */
  removed: Set<string>;
}

/** Appends text to a file through a 1 MB buffer (scratch data: no fsync). */
class Appender {
  private fd: number | undefined;
  private chunks: string[] = [];
  private size = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w', 0o600);
  }

  write(s: string): void {
    this.chunks.push(s);
    this.size += s.length;
    if (this.size >= 1 << 20) this.flush();
  }

  flush(): void {
    if (this.fd === undefined || this.chunks.length === 0) return;
    writeSync(this.fd, this.chunks.join(''));
    this.chunks = [];
    this.size = 0;
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

export class ComponentPartWriter {
  readonly part: ComponentPart;
  private readonly linkedOut: Appender;
  private readonly copiedOut: Appender;
  private readonly copyList: Appender;

  constructor(private readonly dir: string, private readonly name: string) {
    this.part = { name, linkedFile: join(dir, `${name}.linked`), copiedFile: join(dir, `${name}.copied`), extra: [], removed: new Set() };
    this.linkedOut = new Appender(this.part.linkedFile);
    this.copiedOut = new Appender(this.part.copiedFile);
    this.copyList = new Appender(this.scratch('to-copy'));
  }

  scratch(tag: string): string {
    return join(this.dir, `${this.name}.${tag}`);
  }

  linked(e: IndexEntry): void {
    this.linkedOut.write(formatIndexLine(e));
  }

  /** an index line (without its newline) as sharedIndexLine() gives it */
  linkedLine(line: string): void {
    this.linkedOut.write(line);
    this.linkedOut.write('\n');
  }

  /** index lines, each with its newline, as a leaf directory's job gives them (dir-link.ts) */
  linkedText(text: string): void {
    this.linkedOut.write(text);
  }

  /** how many toCopy() listed */
  copyCount = 0;

  toCopy(e: ScanEntry): void {
    this.copyCount++;
    // `<size>/<path>`, or `<size> <ino> <nlink>/<path>` for an inode with several names
    // (hardlinks.ts): numbers hold no slash, a path may hold anything but NUL
    this.copyList.write(e.nlink > 1 ? `${e.size} ${e.ino} ${e.nlink}/${e.path}\0` : `${e.size}/${e.path}\0`);
  }

  /** the files listed by toCopy(), in the order listed; call once, after the scan */
  *copies(): Generator<ToCopy> {
    this.copyList.close();
    for (const rec of readRecordsSync(this.copyList.path, '\0')) {
      if (!rec) continue;
      const slash = rec.indexOf('/');
      const path = rec.slice(slash + 1);
      const head = rec.slice(0, slash);
      const space = head.indexOf(' ');
      if (space < 0) yield { size: Number(head), path };
      else {
        const [size, ino, nlink] = head.split(' ').map(Number);
        yield { size, path, ino, nlink };
      }
    }
    rmSync(this.copyList.path, { force: true });
  }

  copied(e: IndexEntry): void {
    this.copiedOut.write(formatIndexLine(e));
  }

  extra(e: IndexEntry): void {
    this.part.extra.push(e);
  }

  /** `path` relative to the component */
  removed(path: string): void {
    this.part.removed.add(`${this.name}/${path}`);
  }

  finish(): void {
    for (const a of [this.linkedOut, this.copiedOut, this.copyList]) a.close();
  }

  discard(): void {
    this.finish();
    for (const p of [this.part.linkedFile, this.part.copiedFile, this.copyList.path]) rmSync(p, { force: true });
  }
}

/**
 * The previous snapshot's entries of this component, or as many as are readable: a missing or
 * damaged index (an older tool, a failed snapshot) only means more copying, never a failed backup.
 */
export function* prevComponentEntries(prevDir: string, name: string, log: Logger): Generator<IndexEntry> {
  try {
    for (const line of readComponentLinesSync(prevDir, name)) {
      if (!indexLineTabs(line)) throw new Error(`malformed manifest.index line: ${JSON.stringify(line.slice(0, 200))}`);
      yield new LazyIndexEntry(line, name.length + 1);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    log.warn({ prevDir, err: (err as Error).message }, 'previous manifest.index unreadable; copying those files again');
  }
}
