/**
 * Reads manifest.sha256 as written by the backup (the format `sha256sum -c` accepts), streaming.
 * sha256sum escapes names holding a backslash, newline or CR: such a line starts with `\` and
 * the name uses `\\`, `\n`, `\r`; those are undone here so the paths match the files on disk.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

export class ManifestError extends Error {}

export interface ManifestEntry {
  path: string;
  sha256: string;
}

const LINE = /^(\\?)([0-9a-f]{64}) [ *](.+)$/;

function unescapeName(name: string): string {
  return name.replace(/\\([\\nr])/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : '\\'));
}

/** The entries in file order; throws ManifestError on a malformed line or a read error. */
export async function* manifestEntries(file: string): AsyncGenerator<ManifestEntry> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const line of lines) {
      n++;
      if (!line) continue;
      const m = LINE.exec(line);
      if (!m) throw new ManifestError(`${file} line ${n} is not "<sha256>  <path>": ${JSON.stringify(line.slice(0, 120))}`);
      const path = m[1] ? unescapeName(m[3]) : m[3];
      yield { path: path.startsWith('./') ? path.slice(2) : path, sha256: m[2] };
    }
  } catch (err) {
    if (err instanceof ManifestError) throw err;
    throw new ManifestError(`cannot read ${file}: ${(err as Error).message}`);
  } finally {
    lines.close();
  }
}

/** path → sha256 of the whole manifest (only for a manifest that is not in byte order). */
export async function readManifest(file: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const e of manifestEntries(file)) out.set(e.path, e.sha256);
  return out;
}
