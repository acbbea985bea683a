/**
 * The check a snapshot passes before it may leave `.partial` (invariant 1). Cheap, but each test
 * compares two independent computations: the engine's file counts against the manifest's walk,
 * and each dump's streaming hash against the manifest's hash of the file on disk.
 */
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { layout, type FileComponent } from '../repository/layout.js';
import type { BackupMeta } from '../repository/metadata.js';

export interface QuickCheck {
  ok: boolean;
  problems: string[];
}

async function manifestHashes(snapDir: string, prefix: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const lines = createInterface({ input: createReadStream(layout.manifest(snapDir)), crlfDelay: Infinity });
  for await (const line of lines) {
    const path = line.slice(66);
    if (path.startsWith(prefix)) out.set(path, line.slice(0, 64));
    else if (path > prefix && out.size > 0) break; // sorted: past the prefix
  }
  return out;
}

export async function quickVerify(snapDir: string, meta: BackupMeta, manifestFiles: number): Promise<QuickCheck> {
  const problems: string[] = [];
  if (!existsSync(layout.manifest(snapDir))) return { ok: false, problems: ['manifest.sha256 is missing'] };
  let expected = 0;
  for (const [name, c] of Object.entries(meta.components)) {
    if (c.status !== 'ok' || name === 'databases') continue;
    if (!existsSync(layout.component(snapDir, name as FileComponent))) problems.push(`component directory ${name}/ is missing`);
    expected += c.files;
  }
  const dumps = Object.entries(meta.databases).filter(([, d]) => d.status === 'ok');
  expected += dumps.length;
  const failedComponents = Object.values(meta.components).some((c) => c.status === 'failed');
  if (!failedComponents && expected !== manifestFiles) {
    problems.push(`manifest lists ${manifestFiles} files but the components hold ${expected}`);
  }
  if (dumps.length) {
    const hashes = await manifestHashes(snapDir, 'mysql/');
    for (const [name, d] of dumps) {
      const h = hashes.get(d.file);
      if (!h) problems.push(`dump ${d.file} is not in the manifest`);
      else if (h !== d.sha256) problems.push(`dump ${d.file} on disk differs from what was dumped (sha256 ${h} != ${d.sha256}) for ${name}`);
    }
  }
  return { ok: problems.length === 0, problems };
}
