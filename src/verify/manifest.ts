/**
 * Reads manifest.sha256 as written by the backup (the format `sha256sum -c` accepts), streaming.
 * sha256sum escapes names holding a backslash, newline or CR: such a line starts with `\` and
 * the name uses `\\`, `\n`, `\r`; those are undone here so the paths match the files on disk.
 */
import { readRecordsSync } from '../repository/read-records.js';

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
