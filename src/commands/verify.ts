/**
 * `verify [SNAPSHOT] [--all] [--full]`: exit 2 when anything is damaged (each damaged path
 * named), 3 when a snapshot cannot be judged (no manifest), else 0. Each determined result is
 * written into the snapshot's backup.json (atomically), where rotate, list and status read it.
 * Shared lock: the snapshots verified are held as a reader, so a rotation meanwhile defers
 * deleting them; verify only replaces backup.json whole. `--rolling` is verify-rolling.ts.
 */
import { existsSync } from 'node:fs';
import type { Context } from '../cli/context.js';
import { ExitCode } from '../errors.js';
import { filesAndBytes, formatCount, formatDuration } from '../log/units.js';
import { openDestination, type Destination } from '../repository/destination.js';
import { recordVerification } from '../repository/metadata.js';
import { isOk, listSnapshots, type Snapshot } from '../repository/snapshots.js';
import { verifyRollingCommand } from './verify-rolling.js';
import { createVerifyPool, toVerification, verifySnapshot, type VerifyReport } from '../verify/index.js';

/** "daily/2026-10-01 verified (full): 35,447 files, 850 MiB, 35,445 hashed, in 6.3 s" */
function verifiedSentence(r: VerifyReport): string {
  const c = r.checked;
  return `${r.snapshot} verified (${r.level}): ${filesAndBytes(c.files, c.bytes)}, ${formatCount(c.hashed)} hashed, in ${formatDuration(c.durationMs)}`;
}

function describe(r: VerifyReport): string[] {
  const c = r.checked;
  const what = `${c.files} files, ${c.hashed} hashed, ${c.cachedInodes + c.sharedSkipped} shared, ${c.dumps} dumps`;
  if (!r.determined) return [`${r.snapshot}  UNKNOWN  ${r.reason}`];
  if (r.ok) return [`${r.snapshot}  ok  (${r.level}: ${what})`];
  return [`${r.snapshot}  DAMAGED  (${r.level}: ${what})`, ...r.damaged.map((d) => `  ${d.path}: ${d.problem}`)];
}

export default async function verify(ctx: Context, opts: { all?: boolean; full?: boolean; rolling?: string | true }, spec = 'latest'): Promise<number> {
  if (opts.rolling !== undefined) return verifyRollingCommand(ctx, opts.rolling, { ...opts, spec });
  const config = ctx.config();
  const dest = await openDestination(config, 'shared', { command: 'verify' });
  try {
    return await verifyHeld(ctx, dest, opts, spec);
  } finally {
    dest.release();
  }
}

async function verifyHeld(ctx: Context, dest: Destination, opts: { all?: boolean; full?: boolean; rolling?: string | true }, spec: string): Promise<number> {
  const root = dest.root;
  const log = ctx.runLog().log;
  const level = opts.full ? 'full' : 'default';

  // --all checks the snapshots a restore could use; failed ones are named as skipped.
  const all = opts.all ? listSnapshots(root) : [];
  const targets: Snapshot[] = opts.all ? dest.hold(all.filter(isOk)) : [await dest.read(spec, { allowFailed: true })];
  const skipped = all.filter((s) => !isOk(s)).map((s) => s.id);

  if (targets.length === 0) {
    ctx.result({ ok: false, reports: [], skipped }, [`no ok snapshot to verify in ${root}`, ...skipped.map((id) => `${id}  skipped (marked failed)`)]);
    return ExitCode.UNKNOWN;
  }
  const pool = createVerifyPool();
  // Only several snapshots can meet the same inode twice (they share them); one snapshot never does.
  const inodeCache = targets.length > 1 ? new Map<string, string>() : undefined;
  const reports: VerifyReport[] = [];
  try {
    for (const snap of targets) {
      if (!existsSync(snap.dir)) continue; // rotated away while we were busy
      const r = await verifySnapshot(snap, { level, log, signal: ctx.signal, pool, inodeCache, progress: ctx.progress() });
      reports.push(r);
      if (r.determined) recordVerification(snap.dir, toVerification(r));
      if (!r.determined) log.warn({ snapshot: r.snapshot, reason: r.reason }, `cannot verify ${r.snapshot}`);
      else if (!r.ok) log.error({ snapshot: r.snapshot, damaged: r.damaged.length, verifyLevel: level }, `${r.snapshot}: damage found in ${formatCount(r.damaged.length)} files`);
      else log.info({ snapshot: r.snapshot, verifyLevel: level, ...r.checked }, verifiedSentence(r));
    }
  } finally {
    await pool.close();
  }

  const damaged = reports.some((r) => r.determined && !r.ok);
  const unknown = reports.some((r) => !r.determined);
  const human = reports.flatMap(describe);
  for (const id of skipped) human.push(`${id}  skipped (marked failed)`);
  ctx.result({ ok: !damaged && !unknown, reports, skipped }, human);
  return damaged ? ExitCode.FAILED : unknown ? ExitCode.UNKNOWN : ExitCode.OK;
}
