/**
 * `restore all --to DIR`: every file component of a snapshot laid out under DIR as under
 * source.root, with modes, numeric owners and symlinks; then the steps that remain.
 */
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Config } from '../config/schema.js';
import type { BackupMeta } from '../repository/metadata.js';
import { sourcePath } from '../config/load.js';
import { UsageError } from '../errors.js';
import { dumpedDatabases, GRANTS_FILE } from '../datasource/mariadb/index.js';
import { inPhase, NO_PROGRESS } from '../log/progress.js';
import { formatDuration } from '../log/units.js';
import { FILE_COMPONENTS, layout } from '../repository/layout.js';
import { openDestination, type Destination } from '../repository/destination.js';
import { copyComponent } from '../tools/rsync-restore.js';
import { nextSteps, unfinishedAdvice, type ComponentPlacement } from './all-plan.js';
import { relativeLocation } from './components.js';
import { checkTargetDir, isEmptyDir, isInside, requireEmptyOrYes } from './guard.js';
import { markMaildirsForResync } from './dovecot-resync.js';
import { flushDirs, type RestoreEnv, type RestoreResult } from './result.js';
import { sampleMailbox } from '../mailbox/detect.js';
import { vmailDir } from '../mailbox/layout.js';

/** In DIR while restore all writes into it: a target still holding it was left half-filled. */
const UNFINISHED_MARK = '.mailbackup-restore-all';

export interface RestoreAllOptions {
  to: string;
  snapshot?: string;
  dryRun?: boolean;
  yes?: boolean;
  force?: boolean;
}

export async function restoreAll(env: RestoreEnv, o: RestoreAllOptions): Promise<RestoreResult> {
  const dest = await openDestination(env.config, 'shared', { command: 'restore all' });
  try {
    return await restoreHeld(env, dest, o);
  } finally {
    dest.release();
  }
}

async function restoreHeld(env: RestoreEnv, dest: Destination, o: RestoreAllOptions): Promise<RestoreResult> {
  const { config } = env;
  const root = dest.root;
  const snap = await dest.read(o.snapshot ?? 'latest', { allowFailed: o.force });
  const dir = checkTargetDir(o.to, [{ path: root, what: 'the backup destination' }]);
  refuseUnfinished(dir);
  const liveMail = vmailDir(sourcePath(config, config.source.mail), config.source.mailboxRoot);
  if ((isInside(dir, config.source.root) || isInside(config.source.root, dir)) && !isEmptyDir(liveMail)) {
    throw new UsageError(
      `--to ${dir} overlaps source.root ${config.source.root}, which holds a live mail store: restore all is for an empty new machine; use \`restore files --in-place\` and \`restore mail --in-place\` on a running server`,
    );
  }
  requireEmptyOrYes(dir, o.yes);

  const placements: ComponentPlacement[] = [];
  for (const c of FILE_COMPONENTS) {
    const from = layout.component(snap.dir, c);
    if (!existsSync(from)) continue;
    const rel = relativeLocation(config, c) ?? c; // logs not configured here: keep the snapshot's name
    placements.push({ component: c, from, to: join(dir, rel), files: snap.meta?.components?.[c]?.files });
  }
  const lines = [`restore all from ${snap.id} → ${dir}`, ...placements.map((p) => `  ${p.component.padEnd(7)} → ${p.to}${p.files !== undefined ? `  (${p.files} files)` : ''}`)];
  if (o.dryRun) return { outcome: 'ok', data: { snapshot: snap.id, to: dir, placements, dryRun: true }, lines: [...lines, 'dry run: nothing was changed'] };
  const mark = join(dir, UNFINISHED_MARK);
  mkdirSync(dir, { recursive: true });
  writeFileSync(mark, `${JSON.stringify({ snapshot: snap.id, startedAt: new Date().toISOString(), pid: process.pid })}\n`, { mode: 0o600 });
  try {
    await copyAll(env, snap.meta, placements);
    lines.push(applyRootAttributes(dir, snap.meta?.sourceRoot));
    await flushDirs([dir], env.signal); // the mark goes only once the copy is on the disk
  } catch (e) {
    // a copy stopped half-way can leave a truncated file that a rerun with --yes would keep
    if (e instanceof Error) e.message += `; ${dir} holds part of ${snap.id}: ${unfinishedAdvice(dir)}`;
    throw e;
  }
  unlinkSync(mark);
  const steps = nextSteps({
    ...stepsInput(env.configFile, config, dir, snap.id, Object.keys(snap.meta?.databases ?? {}).length ? Object.keys(snap.meta!.databases) : dumpedDatabases(snap.dir)),
    grants: existsSync(join(snap.dir, GRANTS_FILE)),
  });
  lines.push('', 'Files are in place. Next steps:', ...steps);
  return { outcome: 'ok', data: { snapshot: snap.id, to: dir, placements, nextSteps: steps }, lines, written: [dir] };
}

async function copyAll(env: RestoreEnv, meta: BackupMeta | undefined, placements: ComponentPlacement[]): Promise<void> {
  for (const p of placements) {
    const started = Date.now();
    const c = meta?.components?.[p.component];
    await inPhase(env.progress ?? NO_PROGRESS, `restore ${p.component}`, c && { files: c.files, bytes: c.bytes }, (progress) =>
      copyComponent(p.from, p.to, { signal: env.signal, progress, totals: c && { files: c.files, bytes: c.bytes } }));
    const resync = p.component === 'mail' ? markMaildirsForResync(p.to) : undefined;
    env.log.info({ step: p.component, to: p.to, durationMs: Date.now() - started, ...(resync !== undefined ? { foldersMarkedForResync: resync } : {}) }, `${p.component} restored to ${p.to} in ${formatDuration(Date.now() - started)}`);
  }
}

/** Checked before the live-store check: an interrupted run into source.root has mail there too. */
function refuseUnfinished(dir: string): void {
  const mark = join(dir, UNFINISHED_MARK);
  if (!existsSync(mark)) return;
  let what = 'an earlier restore all';
  try {
    const m = JSON.parse(readFileSync(mark, 'utf8')) as { snapshot?: string; startedAt?: string };
    what = `the restore all of ${m.snapshot} started ${m.startedAt}`;
  } catch {
    /* unreadable: the mark alone says enough */
  }
  throw new UsageError(`--to ${dir} holds what ${what} wrote before it was interrupted or failed (${UNFINISHED_MARK} is still there), possibly half-copied files: ${unfinishedAdvice(dir)}`);
}

/**
 * DIR gets source.root's mode and owner as the snapshot recorded them: rsync gave it the mode of
 * the snapshot's config/ directory (0700), which a Dovecot on the host could not pass through.
 */
function applyRootAttributes(dir: string, root: BackupMeta['sourceRoot']): string {
  const mode = (m: number) => `0${(m & 0o7777).toString(8)}`;
  if (!root) return `  ${dir} is mode ${mode(statSync(dir).mode)}: this snapshot does not record source.root's mode and owner; chmod/chown it as the old root was`;
  let owned = true;
  try {
    chownSync(dir, root.uid, root.gid);
  } catch {
    owned = false;
  }
  chmodSync(dir, root.mode & 0o7777); // after chown, which may clear setgid
  if (!owned) return `  ${dir} is mode ${mode(root.mode)} like source.root; could not give it owner ${root.uid}:${root.gid} (run as root)`;
  return `  ${dir} is mode ${mode(root.mode)}, owner ${root.uid}:${root.gid}, like source.root`;
}

function stepsInput(configFile: string | undefined, config: Config, dir: string, snapshot: string, databases: string[]) {
  const rel = (c: 'mail' | 'ssl') => join(dir, relativeLocation(config, c) ?? c);
  const vmail = vmailDir(rel('mail'), config.source.mailboxRoot);
  const live = join(rel('ssl'), 'live');
  const certificates = existsSync(live) ? readdirSync(live).filter((n) => statSync(join(live, n)).isDirectory()).map((n) => join(relativeLocation(config, 'ssl') ?? 'ssl', 'live', n)) : [];
  const st = existsSync(vmail) ? statSync(vmail) : undefined;
  return {
    dir,
    snapshot,
    runtime: config.database.runtime,
    databases,
    dbContainer: config.database.container,
    dbService: composeService(join(dir, 'docker-compose.yml'), config.database.container),
    dovecotContainer: config.dovecot.container,
    sampleUser: sampleMailbox(config.source.mailboxLayout, vmail),
    certificates,
    configArg: configFile ? `--config ${configFile}` : '',
    rootDiffers: resolve(config.source.root) !== dir,
    credentials: { file: config.database.credentialsFile, user: config.database.user, envFile: existsSync(join(dir, '.env')) ? join(dir, '.env') : undefined },
    mailOwner: st ? { uid: st.uid, gid: st.gid, path: vmail } : undefined,
  };
}

/** The compose service whose container_name is `container` (or whose name it is). */
function composeService(file: string, container: string): string | undefined {
  try {
    const doc = parseYaml(readFileSync(file, 'utf8')) as { services?: Record<string, { container_name?: string }> };
    for (const [name, s] of Object.entries(doc.services ?? {})) if (s?.container_name === container || name === container) return name;
  } catch {
    /* no or unreadable compose file: the steps say to use the service name */
  }
  return undefined;
}
