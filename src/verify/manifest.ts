/**
 * Reads manifest.sha256 as written by the backup (the format `sha256sum -c` accepts).
 * sha256sum escapes names holding a backslash or newline: such a line starts with `\` and the
 * name uses `\\` and `\n`; those are undone here so the paths match the files on disk.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

export class ManifestError extends Error {}

const LINE = /^(\\?)([0-9a-f]{64}) [ *](.+)$/;

function unescapeName(name: string): string {
  return name.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
}

/** path (relative to the snapshot root) → hex sha256; throws ManifestError when unreadable. */
export async function readManifest(file: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const stream = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const line of lines) {
      n++;
      if (!line) continue;
      const m = LINE.exec(line);
      if (!m) throw new ManifestError(`${file} line ${n} is not "<sha256>  <path>": ${JSON.stringify(line.slice(0, 120))}`);
      const path = m[1] ? unescapeName(m[3]) : m[3];
      out.set(path.startsWith('./') ? path.slice(2) : path, m[2]);
    }
  } catch (err) {
    if (err instanceof ManifestError) throw err;
    throw new ManifestError(`cannot read ${file}: ${(err as Error).message}`);
  }
  return out;
}
