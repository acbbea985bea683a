/**
 * The databases step of a backup: decide which databases to dump (select.ts: `all` lists them
 * through the container), probe the dump client once, dump each one (dump.ts), then the
 * accounts and grants that touch them (grants-dump.ts).
 */
import { rmSync } from 'node:fs';
import { makeDir } from '../../repository/atomic.js';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import { MailbackupError, errorMessage } from '../../errors.js';
import { GRANTS_FILE } from './grants-format.js';
import { layout } from '../../repository/layout.js';
import type { BackupMeta, ComponentResult, DatabaseList, DatabaseResult, GrantsResult } from '../../repository/metadata.js';
import { serverAnswers } from '../../tools/mariadb-dump.js';
import { listDatabases, probeDumpClient, type DbAccess } from '../../tools/mariadb.js';
import { dbAccess } from './server.js';
import { dumpDatabase } from './dump.js';
import { dumpGrants } from './grants-dump.js';
import { previousNames, selectDatabases, type Selection } from './select.js';
import { withRetry } from '../../backup/retry.js';
import { formatBytes, formatDuration } from '../../log/units.js';

export interface DatabasesOutcome {
  component: ComponentResult;
  databases: Record<string, DatabaseResult>;
  list?: DatabaseList;
  grants?: GrantsResult;
  failures: { step: string; error: string }[];
  warnings: string[];
  notes: string[];
}

const failedDump = (db: string, err: unknown): DatabaseResult => ({ file: layout.dumpName(db), bytes: 0, sha256: '', tables: {}, status: 'failed', error: errorMessage(err) });

/** What the steps below share: the run's settings and the outcome they fill in. */
interface DumpRun {
  config: Config;
  partialDir: string;
  log: Logger;
  signal?: AbortSignal;
  out: DatabasesOutcome;
}

export async function backupDatabases(
  config: Config,
  partialDir: string,
  prev: { id: string; meta?: BackupMeta } | undefined,
  log: Logger,
  signal?: AbortSignal,
): Promise<DatabasesOutcome> {
  const started = Date.now();
  const out: DatabasesOutcome = { component: { status: 'skipped', files: 0, bytes: 0, durationMs: 0 }, databases: {}, failures: [], warnings: [], notes: [] };
  const run: DumpRun = { config, partialDir, log, signal, out };
  const prevList = prev && { id: prev.id, names: previousNames(prev.meta) };
  // nothing to ask the server: disabled, or an empty list (which warns)
  const empty = Array.isArray(config.database.databases) && config.database.databases.length === 0;
  if (!config.database.enabled || empty) {
    recordSelection(run, selectDatabases(config.database, [], prevList));
    return finish(out, started);
  }
  const server = await connect(run);
  if (!server) return finish(out, started);
  const names = recordSelection(run, selectDatabases(config.database, server.listed, prevList));
  if (names.length === 0) return finish(out, started);

  // A reused .partial may hold dumps of an earlier attempt: every dump is made anew.
  rmSync(layout.mysqlDir(partialDir), { recursive: true, force: true });
  makeDir(layout.mysqlDir(partialDir));
  for (const db of names) await dumpOne(run, server.access, server.client, db);
  await dumpAccounts(run, server.access, server.client, names);
  return finish(out, started);
}

/** The component's counts and status from what the steps recorded. */
function finish(out: DatabasesOutcome, started: number): DatabasesOutcome {
  const ok = Object.values(out.databases).filter((d) => d.status === 'ok');
  const grants = out.grants?.status === 'ok' ? [out.grants] : [];
  const dumped = out.list?.names.length ?? 0;
  out.component = {
    status: out.failures.length ? 'failed' : dumped === 0 ? 'skipped' : 'ok',
    files: ok.length + grants.length,
    bytes: [...ok, ...grants].reduce((n, d) => n + d.bytes, 0),
    durationMs: Date.now() - started,
    ...(out.failures.length ? { error: out.failures.map((f) => f.error).join('; ') } : {}),
  };
  return out;
}

function fail(run: DumpRun, err: unknown): void {
  run.out.failures.push({ step: 'databases', error: errorMessage(err) });
  run.log.error({ err: errorMessage(err) }, 'databases failed');
}

/** Records the selection and says what it found; the names to dump. */
function recordSelection({ out, log }: DumpRun, selection: Selection): string[] {
  out.list = selection.list;
  out.notes.push(...selection.notes);
  out.warnings.push(...selection.warnings);
  for (const w of selection.warnings) log.warn({ step: 'databases' }, w);
  for (const n of selection.notes) log.info({ step: 'databases' }, n);
  return selection.list.names;
}

/** Probes the dump client (and lists the databases for `all`); undefined, recorded as a failure, when the server does not answer. */
async function connect(run: DumpRun): Promise<{ access: DbAccess; client: string; listed?: string[] } | undefined> {
  const { config, log, signal } = run;
  try {
    const access = dbAccess(config);
    const answers = () => serverAnswers(access);
    const client = await withRetry('databases', config.retry, log, () => probeDumpClient(access), signal, answers);
    const listed = config.database.databases === 'all' ? await withRetry('list databases', config.retry, log, () => listDatabases(access), signal, answers) : undefined;
    log.debug({ client, listed }, 'dump client found');
    return { access, client, listed };
  } catch (err) {
    if (Array.isArray(config.database.databases)) for (const db of config.database.databases) run.out.databases[db] = failedDump(db, err);
    fail(run, err);
    return undefined;
  }
}

async function dumpOne({ config, partialDir, log, signal, out }: DumpRun, access: DbAccess, client: string, db: string): Promise<void> {
  const dlog = log.child({ step: 'databases', db });
  try {
    if (layout.dumpName(db) === GRANTS_FILE) throw new MailbackupError(`database ${db} cannot be dumped: its file would be ${GRANTS_FILE}, where the accounts and grants go; dump it by hand`);
    const r = await withRetry(`dump ${db}`, config.retry, dlog, () =>
      dumpDatabase(access, client, db, layout.dump(partialDir, db), layout.dumpName(db), signal),
    signal, () => serverAnswers(access));
    out.databases[db] = r;
    dlog.info({ bytes: r.bytes, rawBytes: r.rawBytes, tables: Object.keys(r.tables).length, durationMs: r.durationMs }, `${db}: ${Object.keys(r.tables).length} tables dumped, ${formatBytes(r.bytes)} compressed, in ${formatDuration(r.durationMs ?? 0)}`);
  } catch (err) {
    rmSync(layout.dump(partialDir, db), { force: true }); // a half dump must not look like a dump
    out.databases[db] = failedDump(db, err);
    out.failures.push({ step: 'databases', error: errorMessage(err) });
    dlog.error({ err: errorMessage(err) }, `${db} dump failed`);
  }
}

async function dumpAccounts(run: DumpRun, access: DbAccess, client: string, names: string[]): Promise<void> {
  const { config, partialDir, log, signal, out } = run;
  const grantsFile = join(partialDir, GRANTS_FILE);
  try {
    out.grants = await withRetry('dump grants', config.retry, log, () => dumpGrants(access, client, names, grantsFile), signal, () => serverAnswers(access));
    log.info({ accounts: out.grants.accounts, source: out.grants.source }, 'accounts and grants dumped');
  } catch (err) {
    rmSync(grantsFile, { force: true });
    out.grants = { file: GRANTS_FILE, bytes: 0, sha256: '', accounts: [], status: 'failed', error: errorMessage(err) };
    fail(run, new Error(`accounts and grants: ${errorMessage(err)}`));
  }
}
