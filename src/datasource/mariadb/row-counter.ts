/**
 * Counts rows per table while a dump streams by, so backup.json records exactly what the dump
 * holds (a COUNT(*) afterwards would see a different moment of a live database).
 * An INSERT is `INSERT INTO `t` VALUES (…),(…);` on one line (mysqldump) or with one row per line
 * (mariadb-dump 10.11+); a row is a parenthesis opened at depth 0 outside a string literal, and
 * the statement ends at a `;` at depth 0 outside a string.
 */
const NL = 0x0a;
const QUOTE = 0x27; // '
const BACKSLASH = 0x5c;
const OPEN = 0x28;
const CLOSE = 0x29;
const INSERT = Buffer.from('INSERT INTO `');
const CREATE = Buffer.from('CREATE TABLE `');

export class SqlRowCounter {
  readonly tables: Record<string, number> = {};
  private head: number[] = []; // first bytes of the current line, to recognise the statement
  private table: string | undefined; // set while inside an INSERT line's VALUES
  private inString = false;
  private escaped = false;
  private depth = 0;
  private seenValues = false;

  push(chunk: Buffer): void {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (this.table !== undefined) {
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (b === BACKSLASH) this.escaped = true;
          else if (b === QUOTE) this.inString = false;
          continue;
        }
        if (b === QUOTE) this.inString = true;
        else if (b === OPEN) {
          if (this.depth === 0 && this.seenValues) this.tables[this.table]++;
          this.depth++;
        } else if (b === CLOSE) this.depth--;
        else if (b === 0x53 /* S of VALUES */ && this.depth === 0) this.seenValues = true;
        else if (b === 0x3b /* ; */ && this.depth === 0) {
          this.table = undefined;
          this.head = [0]; // rest of this line is not a statement start
        }
        continue;
      }
      if (b === NL) {
        this.endLine();
        continue;
      }
      if (this.head.length < 300) {
        this.head.push(b);
        this.recognise();
      }
    }
  }

  private recognise(): void {
    const h = this.head;
    const last = h[h.length - 1];
    if (last !== 0x60 /* ` */ || h.length <= INSERT.length) return;
    const line = Buffer.from(h);
    for (const [prefix, isInsert] of [
      [INSERT, true],
      [CREATE, false],
    ] as const) {
      if (line.length > prefix.length + 1 && line.subarray(0, prefix.length).equals(prefix)) {
        const name = line.subarray(prefix.length, line.length - 1).toString('utf8');
        this.tables[name] ??= 0;
        if (isInsert) {
          this.table = name;
          this.depth = 0;
          this.inString = false;
          this.seenValues = false;
        }
        this.head = [0]; // recognised: stop matching this line
      }
    }
  }

  private endLine(): void {
    this.head = [];
  }
}
