/**
 * One recovery drill (OR-05): restore everything from a snapshot into scratch space, check it,
 * time it, record it. Each phase is timed; a phase that throws becomes a failed check and the
 * drill goes on, so one report names every problem. Scratch space and databases go away at the
 * end, also on failure (unless --keep).
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import { errorMessage } from '../errors.js';
import { inPhase, NO_PROGRESS, type Phase, type Progress } from '../log/progress.js';
import { formatDuration } from '../log/units.js';
import type { Logger } from '../log/logger.js';
import { openDestination } from '../repository/destination.js';
import { localDate, type FileComponent } from '../repository/layout.js';
import type { Snapshot } from '../repository/snapshots.js';
import { readCredentials, type DbAccess } from '../tools/mariadb.js';
import { drillDatabase, drillGrants, dropScratch, scratchName } from '../datasource/mariadb/index.js';
import { checkAgainstManifest, componentsIn, restoreComponent } from './files.js';
import { certificateChecks, dkimChecks } from './keys.js';
import { compareCounts, countMailboxes, doveadmCheck, type MailboxCount } from './mailboxes.js';
import { resolveLayout } from '../mailbox/detect.js';
import { formatLayout, vmailDir, type MailboxLayout } from '../mailbox/layout.js';
import { failedChecks, measureRto, rtoChecks, timed, type DrillCheck, type DrillPhase, type DrillReport } from './report.js';
import { layout } from '../repository/layout.js';

export interface DrillOptions {
  snapshot?: string;
  workdir?: string;
  keep?: boolean;
  now?: () => Date;
  /** drill this snapshot directory instead of one on the backup disk (drill --from-offsite) */
  from?: Snapshot;
  /** phases that ran before, e.g. the offsite fetch, counted in the report and the RTO */
  priorPhases?: DrillPhase[];
  progress?: Progress;
}

export const DEFAULT_WORKDIR = '/var/tmp';

/** Scratch dir inside the chosen base; 0711 so Dovecot's mail uid can reach the mailboxes. */
function makeScratch(base: string, date: string): string {
  mkdirSync(base, { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(join(base, `mailbackup-drill-${date}-`));
  chmodSync(dir, 0o711);
  return dir;
}

function spaceCheck(base: string, snap: Snapshot): DrillCheck | undefined {
  const need = Object.entries(snap.meta?.components ?? {}).reduce((n, [, c]) => n + (c.bytes ?? 0), 0);
  const st = statfsSync(base);
  const free = Number(st.bavail) * Number(st.bsize);
  if (free >= need * 1.05) return undefined;
  const gb = (b: number) => `${(b / 1e9).toFixed(1)} GB`;
  return { name: 'workdir space', status: 'fail', detail: `${base} has ${gb(free)} free, the restore needs ${gb(need)}: pass --workdir DIR or set drill.workdir` };
}

export async function runDrill(config: Config, opts: DrillOptions, log: Logger, signal?: AbortSignal): Promise<DrillReport> {
  if (opts.from) return drillHeld(config, opts.from, opts, log, signal); // fetched from offsite into scratch: nothing to hold
  // a reader lock on the snapshot: a rotation meanwhile defers deleting it
  const dest = await openDestination(config, 'shared', { command: 'drill' });
  try {
    return await drillHeld(config, await dest.read(opts.snapshot ?? 'latest'), opts, log, signal);
  } finally {
    dest.release();
  }
}

/** What the parts of one drill share: the snapshot, the scratch space, and the checks they add. */
interface DrillRun {
  config: Config;
  snap: Snapshot;
  workdir: string;
  log: Logger;
  signal?: AbortSignal;
  now: () => Date;
  checks: DrillCheck[];
  /** runs a timed phase; one that throws is a failed check named after it, and the drill continues */
  phase: (name: string, fn: (p: Phase) => Promise<DrillCheck | DrillCheck[]>, totals?: { files?: number; bytes?: number }) => Promise<void>;
  access: DbAccess;
  /** scratch databases created so far: dropped at the end unless --keep */
  loaded: string[];
}

async function drillHeld(config: Config, snap: Snapshot, opts: DrillOptions, log: Logger, signal?: AbortSignal): Promise<DrillReport> {
  const now = opts.now ?? (() => new Date());
  const startedAt = now();
  const date = localDate(startedAt);
  const base = opts.workdir ?? config.drill.workdir ?? DEFAULT_WORKDIR;
  const workdir = makeScratch(base, date);
  const phases: DrillPhase[] = [...(opts.priorPhases ?? [])];
  const checks: DrillCheck[] = [];
  const access: DbAccess = { target: { runtime: config.database.runtime, container: config.database.container }, user: config.database.user, password: '' };
  log.info({ snapshot: snap.id, workdir }, `drill of ${snap.id} started in ${workdir}`);
  const phase: DrillRun['phase'] = async (name, fn, totals) => {
    try {
      const got = await timed(phases, name, () => inPhase(opts.progress ?? NO_PROGRESS, `drill: ${name}`, totals, fn));
      checks.push(...(Array.isArray(got) ? got : [got]));
    } catch (err) {
      if (signal?.aborted) throw err;
      checks.push({ name, status: 'fail', detail: errorMessage(err) });
    }
    log.info({ step: name, durationMs: phases.at(-1)?.durationMs }, `drill: ${name} done in ${formatDuration(phases.at(-1)?.durationMs ?? 0)}`);
  };
  const d: DrillRun = { config, snap, workdir, log, signal, now, checks, phase, access, loaded: [] };

  try {
    const space = spaceCheck(base, snap);
    if (space) checks.push(space);
    const components = space ? [] : componentsIn(snap.dir);
    await drillFiles(d, components);
    if (!space) await drillDatabases(d);
    if (components.includes('ssl')) await phase('certificates', async () => certificateChecks(join(workdir, 'ssl'), now()));
    if (components.includes('dkim')) await phase('dkim keys', async () => dkimChecks(join(workdir, 'dkim')));
  } catch (err) {
    if (signal?.aborted) throw err;
    checks.push({ name: 'drill', status: 'fail', detail: errorMessage(err) });
  } finally {
    if (!opts.keep) await cleanUp(d);
  }

  const rto = measureRto(phases);
  checks.push(...rtoChecks(rto, config.drill.rtoMailDbHours, config.drill.rtoTotalHours));
  return {
    format: 1,
    date,
    startedAt: startedAt.toISOString(),
    finishedAt: now().toISOString(),
    ok: failedChecks(checks).length === 0,
    snapshot: snap.id,
    host: hostname(),
    workdir,
    kept: Boolean(opts.keep),
    phases,
    checks,
    rto: { ...rto, targetMailDbHours: config.drill.rtoMailDbHours, targetTotalHours: config.drill.rtoTotalHours },
  };
}

/** Each file component restored to scratch and checked against the manifest; mailboxes counted and opened. */
async function drillFiles({ config, snap, workdir, log, signal, phase }: DrillRun, components: FileComponent[]): Promise<void> {
  for (const c of components) {
    const meta = snap.meta?.components?.[c];
    await phase(`restore ${c}`, async (progress) => {
      await restoreComponent(snap.dir, workdir, c, signal, progress, meta && { files: meta.files, bytes: meta.bytes });
      return [];
    }, meta && { files: meta.files, bytes: meta.bytes });
  }
  if (components.length) await phase('manifest', () => checkAgainstManifest(snap.dir, workdir, components));
  if (!components.includes('mail')) return;
  const snapMail = layout.component(snap.dir, 'mail');
  let counted: { boxes: MailboxLayout; restored: Map<string, MailboxCount> } | undefined;
  await phase('mailbox counts', async () => {
    const boxes = resolveLayout(config.source.mailboxLayout, vmailDir(snapMail, config.source.mailboxRoot));
    log.info({ layout: formatLayout(boxes) }, 'mailbox layout');
    counted = { boxes, restored: countMailboxes(vmailDir(join(workdir, 'mail'), config.source.mailboxRoot), boxes) };
    return compareCounts(countMailboxes(vmailDir(snapMail, config.source.mailboxRoot), boxes), counted.restored);
  });
  if (counted) await phase('doveadm', () => doveadmCheck(workdir, counted!.restored, counted!.boxes));
}

/** Each dump loaded into its scratch database and counted; the accounts file parsed. */
async function drillDatabases({ config, snap, signal, checks, phase, access, loaded }: DrillRun): Promise<void> {
  const dbs = Object.entries(snap.meta?.databases ?? {});
  try {
    if (dbs.length) access.password = readCredentials(config.database.credentialsFile);
  } catch (err) {
    checks.push({ name: 'databases', status: 'fail', detail: `${errorMessage(err)}: no dump was loaded` });
    dbs.length = 0;
  }
  for (const [db, meta] of dbs) {
    await phase(`database ${db}`, async () => {
      loaded.push(db);
      return drillDatabase(access, db, join(snap.dir, meta.file), meta, signal);
    });
  }
  const grants = snap.meta?.grants;
  if (grants?.status === 'ok') {
    await phase('database grants', () => drillGrants(join(snap.dir, grants.file), grants, Object.keys(snap.meta?.databases ?? {})));
  }
}

async function cleanUp({ workdir, checks, access, loaded }: DrillRun): Promise<void> {
  for (const db of loaded) {
    await dropScratch(access, db).catch((err) =>
      checks.push({ name: `cleanup ${scratchName(db)}`, status: 'fail', detail: `could not drop it: ${errorMessage(err)}; drop it by hand` }),
    );
  }
  rmSync(workdir, { recursive: true, force: true });
}
