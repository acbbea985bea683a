/**
 * `verify --rolling [DAYS]`: re-read the slice of every ok snapshot that was read longest ago
 * (src/verify/rolling.ts). Exit 2 when a file of the slice is damaged (each named), 3 when there
 * is no ok snapshot or a snapshot has no readable manifest, else 0. The coverage goes to
 * .state/rolling-verify.json, where `status` checks that all data was re-read within DAYS days.
 */
import type { Context } from '../cli/context.js';
import { ExitCode, UsageError } from '../errors.js';
import { openDestination } from '../repository/destination.js';
import { isOk, listSnapshots, type Snapshot } from '../repository/snapshots.js';
import { recordRolling, verifyRolling, type RollingReport } from '../verify/rolling.js';

function parseRollingDays(value: string | true, fallback: number): number {
  if (value === true) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 366) {
    throw new UsageError(`--rolling ${value}: DAYS must be a whole number from 1 to 366`);
  }
  return Number(value);
}

function describe(r: RollingReport): string[] {
  const c = r.checked;
  const head = `rolling slice ${r.slice + 1}/${r.days} of ${r.snapshots.length} snapshots: ${c.files} files, ${c.hashed} hashed, ${c.cachedInodes} shared`;
  const lines = [`${head}  ${r.damaged ? 'DAMAGED' : r.ok ? 'ok' : 'UNKNOWN'}`];
  for (const s of r.snapshots) {
    if (!s.determined) lines.push(`  ${s.snapshot}  UNKNOWN  ${s.reason}`);
    for (const d of s.damaged) lines.push(`  ${s.snapshot}/${d.path}: ${d.problem}`);
  }
  if (r.damaged) lines.push('run `mailbackup verify --full SNAPSHOT` on each snapshot named to see all its damage');
  return lines;
}

export async function verifyRollingCommand(ctx: Context, value: string | true, others: { all?: boolean; full?: boolean; spec?: string }): Promise<number> {
  if (others.all || others.full || (others.spec && others.spec !== 'latest')) {
    throw new UsageError('--rolling reads a slice of every ok snapshot: it takes no SNAPSHOT, --all or --full');
  }
  const config = ctx.config();
  const days = parseRollingDays(value, config.verify.rollingDays);
  // shared lock: every ok snapshot is held as read, so a rotation meanwhile defers deleting it
  const dest = await openDestination(config, 'shared', { command: 'verify --rolling' });
  try {
    return await verifyRollingHeld(ctx, days, dest.root, (snaps) => dest.hold(snaps));
  } finally {
    dest.release();
  }
}

async function verifyRollingHeld(ctx: Context, days: number, root: string, hold: (s: Snapshot[]) => Snapshot[]): Promise<number> {
  const log = ctx.runLog().log;
  if (hold(listSnapshots(root).filter(isOk)).length === 0) {
    ctx.result({ ok: false, days, snapshots: [] }, [`no ok snapshot to verify in ${root}`]);
    return ExitCode.UNKNOWN;
  }
  const r = await verifyRolling({ root, days, log, signal: ctx.signal });
  const rec = recordRolling(root, r);
  if (r.damaged) log.error({ slice: r.slice, days, damaged: rec.damaged?.length }, 'rolling verification found damage');
  else log.info({ slice: r.slice, days, ...r.checked }, 'rolling slice verified');
  ctx.result({ ...r, coverage: rec }, describe(r));
  return r.damaged ? ExitCode.FAILED : r.ok ? ExitCode.OK : ExitCode.UNKNOWN;
}
