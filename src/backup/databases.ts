/**
 * The databases step: decide which databases to dump (database-selection.ts: `all` lists them
 * through the container), probe the dump client once, dump each one, then the accounts and
 * grants that touch them (database-grants.ts).
 */
import { rmSync } from 'node:fs';
import { makeDir } from '../repository/atomic.js';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { MailbackupError, errorMessage } from '../errors.js';
import { GRANTS_FILE } from '../repository/grants-format.js';
import { layout } from '../repository/layout.js';
import type { BackupMeta, ComponentResult, DatabaseList, DatabaseResult, GrantsResult } from '../repository/metadata.js';
import { serverAnswers } from '../tools/mariadb-dump.js';
import { listDatabases, probeDumpClient, readCredentials, type DbAccess } from '../tools/mariadb.js';
import { dumpDatabase } from './database-dump.js';
import { dumpGrants } from './database-grants.js';
import { previousNames, selectDatabases, type Selection } from './database-selection.js';
import { withRetry } from './retry.js';
import { formatBytes, formatDuration } from '../log/units.js';

export interface DatabasesOutcome {
  component: ComponentResult;
  databases: Record<string, DatabaseResult>;
  list?: DatabaseList;
  grants?: GrantsResult;
  failures: { step: string; error: string }[];
  warnings: string[];
  notes: string[];
}

export function dbAccess(config: Config): DbAccess {
  const d = config.database;
  return {
    target: { runtime: d.runtime, container: d.container },
    user: d.user,
    password: readCredentials(d.credentialsFile),
  };
}

const failedDump = (db: string, err: unknown): DatabaseResult => ({ file: `mysql/${db}.sql.gz`, bytes: 0, sha256: '', tables: {}, status: 'failed', error: errorMessage(err) });

export async function backupDatabases(
  config: Config,
  partialDir: string,
  prev: { id: string; meta?: BackupMeta } | undefined,
  log: Logger,
  signal?: AbortSignal,
): Promise<DatabasesOutcome> {
  const started = Date.now();
  const out: DatabasesOutcome = { component: { status: 'skipped', files: 0, bytes: 0, durationMs: 0 }, databases: {}, failures: [], warnings: [], notes: [] };
  const done = (): DatabasesOutcome => {
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
  };
  const fail = (err: unknown) => {
    out.failures.push({ step: 'databases', error: errorMessage(err) });
    log.error({ err: errorMessage(err) }, 'databases failed');
  };
  /** records the selection and says what it found; the outcome so far */
  function finishSelection(selection: Selection): DatabasesOutcome {
    out.list = selection.list;
    out.notes.push(...selection.notes);
    out.warnings.push(...selection.warnings);
    for (const w of selection.warnings) log.warn({ step: 'databases' }, w);
    for (const n of selection.notes) log.info({ step: 'databases' }, n);
    return done();
  }
  const prevList = prev && { id: prev.id, names: previousNames(prev.meta) };
  // nothing to ask the server: disabled, or an empty list (which warns)
  const empty = Array.isArray(config.database.databases) && config.database.databases.length === 0;
  if (!config.database.enabled || empty) return finishSelection(selectDatabases(config.database, [], prevList));

  let access: DbAccess;
  let client: string;
  let listed: string[] | undefined;
  try {
    access = dbAccess(config);
    const answers = () => serverAnswers(access);
    client = await withRetry('databases', config.retry, log, () => probeDumpClient(access), signal, answers);
    if (config.database.databases === 'all') listed = await withRetry('list databases', config.retry, log, () => listDatabases(access), signal, answers);
    log.debug({ client, listed }, 'dump client found');
  } catch (err) {
    if (Array.isArray(config.database.databases)) for (const db of config.database.databases) out.databases[db] = failedDump(db, err);
    fail(err);
    return done();
  }
  const names = finishSelection(selectDatabases(config.database, listed, prevList)).list!.names;
  if (names.length === 0) return done();

  // A reused .partial may hold dumps of an earlier attempt: every dump is made anew.
  rmSync(layout.mysqlDir(partialDir), { recursive: true, force: true });
  makeDir(layout.mysqlDir(partialDir));
  for (const db of names) {
    const dlog = log.child({ step: 'databases', db });
    try {
      if (`mysql/${db}.sql.gz` === GRANTS_FILE) throw new MailbackupError(`database ${db} cannot be dumped: its file would be ${GRANTS_FILE}, where the accounts and grants go; dump it by hand`);
      const r = await withRetry(`dump ${db}`, config.retry, dlog, () =>
        dumpDatabase(access, client, db, layout.dump(partialDir, db), `mysql/${db}.sql.gz`, signal),
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
  const grantsFile = join(partialDir, GRANTS_FILE);
  try {
    out.grants = await withRetry('dump grants', config.retry, log, () => dumpGrants(access, client, names, grantsFile), signal, () => serverAnswers(access));
    log.info({ accounts: out.grants.accounts, source: out.grants.source }, 'accounts and grants dumped');
  } catch (err) {
    rmSync(grantsFile, { force: true });
    out.grants = { file: GRANTS_FILE, bytes: 0, sha256: '', accounts: [], status: 'failed', error: errorMessage(err) };
    fail(new Error(`accounts and grants: ${errorMessage(err)}`));
  }
  return done();
}
