/**
 * What one component contributes to the manifest, known from its plan (sync.ts) instead of a
 * walk of the new snapshot: index lines of the files linked during the scan and of the files
 * copied, each list already in byte order and kept in scratch files (not memory), plus the few
 * entries decided afterwards (renames, completeness check) and the names the check removed.
 * writeManifest merges them (manifest.ts).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { formatIndexLine, type IndexEntry } from '../../repository/manifest-format.js';
import { readRecordsSync } from '../../repository/read-records.js';
import type { ScanEntry } from '../scan/scan-entry.js';
import type { ToCopy } from '../copy/to-copy.js';
import { Appender } from './appender.js';

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
