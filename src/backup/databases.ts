/** The databases step: probe the dump client once, then dump each configured database. */
import { mkdirSync, rmSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { errorMessage } from '../errors.js';
import { layout } from '../repository/layout.js';
import type { ComponentResult, DatabaseResult } from '../repository/metadata.js';
import { probeDumpClient, readCredentials, type DbAccess } from '../tools/mariadb.js';
import { dumpDatabase } from './database-dump.js';
import { withRetry } from './retry.js';

export interface DatabasesOutcome {
  component: ComponentResult;
  databases: Record<string, DatabaseResult>;
  failures: { step: string; error: string }[];
}

export function dbAccess(config: Config): DbAccess {
  const d = config.database;
  return {
    target: { runtime: d.runtime, container: d.container },
    user: d.user,
    password: readCredentials(d.credentialsFile),
  };
}

export async function backupDatabases(
  config: Config,
  partialDir: string,
  log: Logger,
  signal?: AbortSignal,
): Promise<DatabasesOutcome> {
  const started = Date.now();
  const databases: Record<string, DatabaseResult> = {};
  const failures: { step: string; error: string }[] = [];
  const names = config.database.databases;
  const done = (): DatabasesOutcome => {
    const ok = Object.values(databases).filter((d) => d.status === 'ok');
    return {
      databases,
      failures,
      component: {
        status: names.length === 0 ? 'skipped' : failures.length ? 'failed' : 'ok',
        files: ok.length,
        bytes: ok.reduce((n, d) => n + d.bytes, 0),
        durationMs: Date.now() - started,
        ...(failures.length ? { error: failures.map((f) => f.error).join('; ') } : {}),
      },
    };
  };
  if (names.length === 0) return done();

  let access: DbAccess;
  let client: string;
  try {
    access = dbAccess(config);
    client = await withRetry('databases', config.retry, log, () => probeDumpClient(access), signal);
    log.debug({ client }, 'dump client found');
  } catch (err) {
    for (const db of names) {
      databases[db] = { file: `mysql/${db}.sql.gz`, bytes: 0, sha256: '', tables: {}, status: 'failed', error: errorMessage(err) };
    }
    failures.push({ step: 'databases', error: errorMessage(err) });
    return done();
  }
  // A reused .partial may hold dumps of an earlier attempt: every dump is made anew.
  rmSync(layout.mysqlDir(partialDir), { recursive: true, force: true });
  mkdirSync(layout.mysqlDir(partialDir), { recursive: true, mode: 0o700 });
  for (const db of names) {
    const dlog = log.child({ step: 'databases', db });
    try {
      const r = await withRetry(`dump ${db}`, config.retry, dlog, () =>
        dumpDatabase(access, client, db, layout.dump(partialDir, db), `mysql/${db}.sql.gz`, signal),
      signal);
      databases[db] = r;
      dlog.info({ bytes: r.bytes, rawBytes: r.rawBytes, tables: Object.keys(r.tables).length, durationMs: r.durationMs }, `${db} dumped`);
    } catch (err) {
      rmSync(layout.dump(partialDir, db), { force: true }); // a half dump must not look like a dump
      databases[db] = { file: `mysql/${db}.sql.gz`, bytes: 0, sha256: '', tables: {}, status: 'failed', error: errorMessage(err) };
      failures.push({ step: 'databases', error: errorMessage(err) });
      dlog.error({ err: errorMessage(err) }, `${db} dump failed`);
    }
  }
  return done();
}
