/** Human summary of a backup run (stdout; nothing on success under --quiet). */
import { filesAndBytes, formatBytes, formatCount, formatDuration } from '../log/units.js';
import { outcomeOf, type RunOutcome } from '../errors.js';
import type { BackupReport } from './perform.js';

const STATE: Record<RunOutcome, string> = { OK: 'ok', WARNING: 'ok with warnings', FAILED: 'FAILED', INTERRUPTED: 'FAILED' };

export function formatBackupReport(r: BackupReport): string[] {
  const lines: string[] = [];
  const t = r.meta?.totals;
  const state = STATE[outcomeOf(r.exitCode)];
  lines.push(`backup ${r.snapshot}: ${state}${r.outcome === 'kept-partial' || r.outcome === 'kept-held' ? ' (kept as .partial; the earlier snapshot of this day stays)' : ''}`);
  if (t) lines.push(`  ${filesAndBytes(t.files, t.bytes)}; added on disk: ${filesAndBytes(t.addedFiles, t.addedBytes)}`);
  for (const [name, c] of Object.entries(r.meta?.components ?? {})) {
    lines.push(`  ${name.padEnd(9)} ${c.status.padEnd(7)} ${String(c.files).padStart(7)} files ${formatBytes(c.bytes).padStart(10)}`);
  }
  const dl = r.meta?.databaseList;
  if (dl && dl.mode !== 'disabled') {
    lines.push(`  databases (${dl.mode === 'all' ? 'all, as listed by the server' : 'database.databases'}): ${dl.names.join(', ') || 'none'}${r.meta?.grants?.status === 'ok' ? `; accounts: ${r.meta.grants.accounts.length}` : ''}`);
    for (const n of dl.appeared) lines.push(`  database ${n} appeared since ${dl.since}: dumped from now on`);
  }
  for (const f of r.failures) lines.push(`  failed: ${f.step}: ${f.error}`);
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  if (r.rotation) lines.push(`  rotation: kept ${r.rotation.plan.keep.length}, deleted ${r.rotation.deleted.length}${r.rotation.refused ? ` (refused: ${r.rotation.refused})` : ''}`);
  for (const d of r.rotation?.deferred ?? []) lines.push(`  rotation deferred ${d.id}: in use by ${d.heldBy.join('; ')}; the next rotation deletes it`);
  lines.push(`  latest -> ${r.latest ?? '(none)'}`);
  return lines;
}

/** "mail: 100,101 files, 2.3 GiB copied in 15.1 s" (first backup) or "…; 120 new files, 3.1 MiB copied in 1.2 s" */
export function describeComponentSync(name: string, r: { files: number; bytes: number; addedFiles: number; addedBytes: number; linkedRenames: number; durationMs: number }): string {
  const all = filesAndBytes(r.files, r.bytes);
  const renames = r.linkedRenames ? `, ${formatCount(r.linkedRenames)} renames linked` : '';
  if (r.addedFiles === r.files) return `${name}: ${all} copied in ${formatDuration(r.durationMs)}${renames}`;
  return `${name}: ${all}; ${formatCount(r.addedFiles)} new, ${formatBytes(r.addedBytes)} copied in ${formatDuration(r.durationMs)}${renames}`;
}
