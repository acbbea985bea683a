import { parseIndexLine, unescapeField, type IndexEntry } from '../../repository/manifest-format.js';

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
