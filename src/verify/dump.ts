/**
 * A dump counts only if it passes the rules of repository/dump-format.ts (the very rules the
 * backup applied when it wrote it) and matches the sha256 recorded in backup.json.
 * One read of the file does both.
 */
import { DUMP_PROBLEM, readDump } from '../repository/dump-format.js';
import type { BackupMeta } from '../repository/metadata.js';

export interface DumpCheck {
  /** sha256 of the .gz file as stored, when it could be read */
  sha256?: string;
  problems: string[];
}

export async function checkDump(file: string, recordedSha256?: string): Promise<DumpCheck> {
  const read = await readDump(file);
  const problems = [...read.problems];
  if (read.sha256 && recordedSha256 && read.sha256 !== recordedSha256) problems.push(DUMP_PROBLEM.sha256);
  return { sha256: read.sha256, problems };
}

/** Every dump a snapshot records: one per database, and the accounts and grants. */
export function recordedDumps(meta: BackupMeta | undefined): [string, { file: string; sha256: string; status?: string }][] {
  const out: [string, { file: string; sha256: string; status?: string }][] = Object.entries(meta?.databases ?? {});
  if (meta?.grants) out.push(['accounts and grants', meta.grants]);
  return out;
}
