/**
 * The rules of a stored SQL dump (mysql/<db>.sql.gz, mysql/grants.sql.gz), in one place for
 * backup, verify, drill and restore: when a dump is whole, when it would load into another
 * database than the one asked for, and how its tables compare with what backup.json recorded.
 * A dump counts only if its gzip stream reads back whole and its text ends with the
 * `-- Dump completed` trailer line: nothing but a newline may follow it (a trailer followed by
 * more SQL means two dumps were concatenated, or the file was appended to).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

const TRAILER = /-- Dump completed( on [^\n]*)?\n?$/;
/** a dump made with --databases switches to its own database whatever the target is */
const SWITCH = /^(USE\s+`[^`]+`|CREATE DATABASE\b[^;]*);/im;
const TAIL_BYTES = 256;
const OVERLAP = 512;

/** The problem texts: backup, verify, drill and restore report the same rule the same way. */
export const DUMP_PROBLEM = {
  trailer: '"-- Dump completed" trailer missing at its end (the dump stopped early or was altered)',
  truncated: 'dump truncated (gzip data ends early)',
  gzip: (msg: string) => `gzip data bad: ${msg}`,
  sha256: 'sha256 differs from backup.json',
  missing: 'missing',
} as const;

/** Schemas of the server itself: never dumped as application databases. */
const SYSTEM_SCHEMAS: readonly string[] = ['information_schema', 'performance_schema', 'sys', 'mysql'];
/** scratch copies the drill makes (`<db>_drill`); left only by `drill --keep` */
export const scratchName = (db: string) => `${db}_drill`;
export const isDrillScratch = (name: string) => name.endsWith('_drill');
export const isApplicationDatabase = (name: string) => !SYSTEM_SCHEMAS.includes(name) && !isDrillScratch(name);

export function hasTrailer(tail: string): boolean {
  return TRAILER.test(tail);
}

/** The first USE / CREATE DATABASE statement in `text`, if any. */
export function switchesDatabase(text: string): string | undefined {
  return SWITCH.exec(text)?.[1];
}

/** Fed the uncompressed dump chunk by chunk: its size, its last bytes, and any database switch. */
export class DumpScanner {
  rawBytes = 0;
  switchLine: string | undefined;
  private tailBuf = Buffer.alloc(0);
  private overlap = '';

  push(chunk: Buffer): void {
    this.rawBytes += chunk.length;
    // copy only the last bytes: a dump streams by in 64 KiB chunks
    this.tailBuf = chunk.length >= TAIL_BYTES ? Buffer.from(chunk.subarray(-TAIL_BYTES)) : Buffer.concat([this.tailBuf, chunk]).subarray(-TAIL_BYTES);
    if (this.switchLine === undefined) {
      // a statement may straddle two chunks: scan with the end of the previous one
      const text = this.overlap + chunk.toString('utf8');
      this.switchLine = switchesDatabase(text);
      this.overlap = text.slice(-OVERLAP);
    }
  }

  get tail(): string {
    return this.tailBuf.toString('utf8');
  }

  /** what is wrong with the text seen so far, taken as a whole dump */
  problems(): string[] {
    return hasTrailer(this.tail) ? [] : [DUMP_PROBLEM.trailer];
  }
}

export interface DumpRead {
  scan: DumpScanner;
  /** sha256 of the file as stored (the .gz bytes), when it could be read */
  sha256?: string;
  /** empty when the dump is whole: gzip reads back and the trailer ends it */
  problems: string[];
}

export function gzipProblem(message: string): string {
  return /unexpected end/i.test(message) ? DUMP_PROBLEM.truncated : DUMP_PROBLEM.gzip(message);
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const b of createReadStream(file)) hash.update(b as Buffer);
  return hash.digest('hex');
}

/** Reads a stored dump once: sha256 of the file, the gunzipped text scanned, the rules applied. */
export async function readDump(file: string): Promise<DumpRead> {
  const scan = new DumpScanner();
  const hash = createHash('sha256');
  try {
    await pipeline(
      createReadStream(file),
      new Transform({ transform: (b: Buffer, _e, cb) => (hash.update(b), cb(null, b)) }),
      createGunzip(),
      async (src: AsyncIterable<Buffer>) => {
        for await (const chunk of src) scan.push(chunk);
      },
    );
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') return { scan, problems: [DUMP_PROBLEM.missing] };
    if (e.code && !e.code.startsWith('Z_')) return { scan, problems: [`cannot read: ${e.message}`] };
    // damaged gzip is rare: a second read gives the file's sha256 for the comparison
    return { scan, sha256: await sha256Of(file).catch(() => undefined), problems: [gzipProblem(e.message)] };
  }
  return { scan, sha256: hash.digest('hex'), problems: scan.problems() };
}

export const sumRows = (tables: Record<string, number> | undefined) => Object.values(tables ?? {}).reduce((n, r) => n + r, 0);

export interface CountComparison {
  ok: boolean;
  missing: string[];
  extra: string[];
  differ: { table: string; expected: number; found: number }[];
}

/** Tables and exact row counts of a loaded dump against what backup.json recorded at dump time. */
export function compareTables(expected: Record<string, number>, found: Record<string, number>): CountComparison {
  const missing = Object.keys(expected).filter((t) => !(t in found)).sort();
  const extra = Object.keys(found).filter((t) => !(t in expected)).sort();
  const differ = Object.keys(expected)
    .filter((t) => t in found && found[t] !== expected[t])
    .sort()
    .map((table) => ({ table, expected: expected[table], found: found[table] }));
  return { ok: !missing.length && !extra.length && !differ.length, missing, extra, differ };
}

export function comparisonProblems(c: CountComparison): string[] {
  return [
    ...c.missing.map((t) => `table ${t} missing`),
    ...c.extra.map((t) => `table ${t} not in backup.json`),
    ...c.differ.map((d) => `table ${d.table} has ${d.found} rows, backup.json says ${d.expected}`),
  ];
}
