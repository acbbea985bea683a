/**
 * The check a snapshot passes before it may leave `.partial` (invariant 1 of docs/invariants.md). Cheap, but each test
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

/**
 * `byTop`: the manifest's files per top-level directory; `engineCounts`: what the engine counted for
 * the components whose source stood still during the run (a live maildir's count is no check).
 */
export async function quickVerify(
  snapDir: string,
  meta: BackupMeta,
  byTop: Record<string, { files: number }>,
  engineCounts: Record<string, number>,
): Promise<QuickCheck> {
  const problems: string[] = [];
  if (!existsSync(layout.manifest(snapDir))) return { ok: false, problems: ['manifest.sha256 is missing'] };
  for (const [name, c] of Object.entries(meta.components)) {
    if (c.status !== 'ok' || name === 'databases') continue;
    if (!existsSync(layout.component(snapDir, name as FileComponent))) problems.push(`component directory ${name}/ is missing`);
    const listed = byTop[name]?.files ?? 0;
    if (engineCounts[name] !== undefined && engineCounts[name] !== listed) {
      problems.push(`manifest lists ${listed} files of ${name}/ but the engine copied ${engineCounts[name]}`);
    }
  }
  const dumps: [string, { file: string; sha256: string }][] = Object.entries(meta.databases).filter(([, d]) => d.status === 'ok');
  if (meta.grants?.status === 'ok') dumps.push(['accounts and grants', meta.grants]);
  const listedDumps = byTop.mysql?.files ?? 0;
  if (listedDumps < dumps.length) problems.push(`manifest lists ${listedDumps} files of mysql/ but ${dumps.length} dumps were written`);
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
