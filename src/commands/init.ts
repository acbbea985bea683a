/**
 * `init`: write a config from the compose project, prepare the destination (marker, 0700) and
 * print a checklist of what was verified. An existing config is kept (use --force to rewrite)
 * so init can be rerun to prepare a new backup disk. --dry-run prints the config and the
 * checklist and writes nothing.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Context } from '../cli/context.js';
import { parse as parseYaml } from 'yaml';
import { configPath, loadConfig, parseConfig } from '../config/load.js';
import { ExitCode, UsageError, errorMessage } from '../errors.js';
import { COMPOSE_FILE_NAMES, discover, parseCompose, parseDotEnv } from '../init/compose.js';
import { formatChecklist, listUserDatabases, mountCheck, sourceChecks, toolChecks, type Check } from '../init/checks.js';
import { existingConfigAdditions, formatAdditions } from '../init/databases.js';
import { chooseLayout } from '../init/layout.js';
import { planConfig } from '../init/plan.js';
import { renderConfig } from '../init/render.js';
import { writeFileAtomic } from '../repository/atomic.js';
import { prepareDestination } from '../repository/marker.js';
import { readCredentials } from '../tools/mariadb.js';
import { which } from '../tools/shell.js';

interface Opts {
  sourceRoot?: string;
  destination?: string;
  writeConfig?: string;
  force?: boolean;
  credentialsFile?: string;
  requireMountpoint?: string;
  logDir?: string;
  notifyTo?: string;
  runtime?: 'docker' | 'podman' | 'host';
  dryRun?: boolean;
}

const SPEC_SOURCE_ROOT = '/opt/onprem-infra-system/project-root-infra/services/mailserver';
const SPEC_DESTINATION = '/mnt/backup-hdd/mailserver';

async function detectRuntime(): Promise<'docker' | 'podman'> {
  if (await which('docker')) return 'docker';
  return (await which('podman')) ? 'podman' : 'docker';
}

/** Discovery and the server's database list, rendered as the config text to write. */
async function draftConfig(opts: Opts, checks: Check[]): Promise<string> {
  const sourceRoot = resolve(opts.sourceRoot ?? SPEC_SOURCE_ROOT);
  const composeName = COMPOSE_FILE_NAMES.find((n) => existsSync(join(sourceRoot, n)));
  if (!composeName) {
    throw new UsageError(`no compose file (${COMPOSE_FILE_NAMES.join(', ')}) in ${sourceRoot}: pass --source-root DIR`);
  }
  const composeFile = join(sourceRoot, composeName);
  const dotEnv = join(sourceRoot, '.env');
  const vars = { ...(existsSync(dotEnv) ? parseDotEnv(readFileSync(dotEnv, 'utf8')) : {}), ...process.env } as Record<string, string>;
  const found = discover(parseCompose(readFileSync(composeFile, 'utf8'), sourceRoot, vars));
  checks.push({ status: 'ok', what: `read ${composeFile}` });
  for (const n of found.notes) checks.push({ status: 'warn', what: n });

  const o = {
    sourceRoot,
    destination: opts.destination ?? SPEC_DESTINATION,
    requireMountpoint: opts.requireMountpoint,
    credentialsFile: opts.credentialsFile,
    runtime: opts.runtime ?? (await detectRuntime()),
    logDir: opts.logDir,
    notifyTo: opts.notifyTo?.split(',').map((s) => s.trim()),
    composeFile,
  };
  const declared = found.declaredDatabases.length ? ` (the compose file declares ${found.declaredDatabases.join(', ')})` : '';
  let databases: { names: string[] | 'all'; from: string } = { names: 'all', from: `all: each run lists them on the server${declared}` };
  const first = planConfig(found, o, databases);
  try {
    const password = readCredentials(first.database.credentialsFile);
    const target = { runtime: first.database.runtime, container: first.database.container };
    const names = await listUserDatabases({ target, user: first.database.user, password });
    if (names.length) databases = { names, from: `listed by the running server in ${target.container}` };
  } catch (err) {
    checks.push({ status: 'warn', what: 'could not list the databases on the server', detail: `${errorMessage(err)}; database.databases: all is written, so each backup lists them itself` });
  }
  const layout = chooseLayout(sourceRoot, found, resolve(sourceRoot, first.source.mail));
  checks.push(...layout.checks);
  return renderConfig(planConfig(found, o, databases, layout));
}

export default async function init(ctx: Context, opts: Opts): Promise<number> {
  const file = resolve(opts.writeConfig ?? configPath(ctx.global.config));
  const checks: Check[] = [];
  let draft: string | undefined;
  if (existsSync(file) && !opts.force) {
    checks.push({ status: 'ok', what: `kept existing config ${file} (--force rewrites it)` });
  } else {
    draft = await draftConfig(opts, checks);
    if (opts.dryRun) checks.push({ status: 'ok', what: `would write ${file} (mode 0600): printed above` });
    else {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      writeFileAtomic(file, draft, 0o600);
      checks.push({ status: 'ok', what: `wrote ${file} (mode 0600)` });
    }
  }
  const config = draft !== undefined && opts.dryRun ? parseConfig(parseYaml(draft), file) : loadConfig(file);
  checks.push({ status: 'ok', what: 'the config validates' });
  const additions = draft === undefined ? await existingConfigAdditions(config) : [];
  for (const a of additions) checks.push({ status: 'warn', what: `existing config: ${a.what}`, detail: 'add the lines printed below' });
  checks.push(...sourceChecks(config));

  const mount = mountCheck(config);
  checks.push(mount);
  if (mount.status !== 'fail' && opts.dryRun) {
    checks.push({ status: 'ok', what: `would prepare destination ${config.destination.root} (marker, mode 0700)` });
  } else if (mount.status !== 'fail') {
    const { created } = prepareDestination(config.destination.root);
    checks.push({ status: 'ok', what: `destination ${config.destination.root} ${created ? 'prepared' : 'already prepared'} (marker present, mode 0700)` });
  }
  checks.push(...(await toolChecks(config)));

  const fails = checks.filter((c) => c.status === 'fail');
  const warns = checks.filter((c) => c.status === 'warn');
  const code = fails.length ? ExitCode.FAILED : warns.length ? ExitCode.WARNING : ExitCode.OK;
  const summary = fails.length
    ? `${fails.length} check(s) failed: fix them, then run \`mailbackup init\` again`
    : `ready: try \`mailbackup --config ${file} backup --dry-run\`, then \`mailbackup schedule --install\``;
  const shown = opts.dryRun && draft ? [draft, '# ---- checks (dry run: nothing was written) ----'] : [];
  ctx.result({ config: file, checks, additions, exitCode: code, ...(opts.dryRun ? { draft } : {}) }, [...shown, ...formatChecklist(checks), ...formatAdditions(file, additions), summary]);
  return code;
}
