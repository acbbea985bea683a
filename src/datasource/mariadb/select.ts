/**
 * Which databases a run dumps (pure). `all` takes what the server lists, minus its own schemas
 * and drill scratch copies; a list is taken as written. Against the previous snapshot's list, a
 * database that appeared is named, one that disappeared is a warning (its data is no longer in
 * the new snapshot), and a run that would dump nothing warns unless the config says
 * `database.enabled: false`: the requirements class the databases as P0.
 */
import type { Config } from '../../config/schema.js';
import { isApplicationDatabase } from '../../repository/dump-format.js';
import type { BackupMeta, DatabaseList } from '../../repository/metadata.js';

export interface Selection {
  list: DatabaseList;
  warnings: string[];
  /** lines for the run's output that are not warnings */
  notes: string[];
}

/** The names the previous snapshot set out to dump (older snapshots: the dumps it holds). */
export function previousNames(meta: BackupMeta | undefined): string[] | undefined {
  if (!meta) return undefined;
  if (meta.databaseList) return meta.databaseList.mode === 'disabled' ? undefined : meta.databaseList.names;
  return Object.keys(meta.databases ?? {});
}

export function selectDatabases(
  d: Config['database'],
  listed: string[] | undefined,
  prev: { id: string; names: string[] | undefined } | undefined,
): Selection {
  if (!d.enabled) return { list: { mode: 'disabled', names: [], appeared: [], disappeared: [] }, warnings: [], notes: [] };
  const mode = d.databases === 'all' ? 'all' : 'list';
  const names = d.databases === 'all' ? (listed ?? []).filter(isApplicationDatabase).sort() : [...d.databases];
  const before = prev?.names;
  const appeared = before ? names.filter((n) => !before.includes(n)) : [];
  const disappeared = before ? before.filter((n) => !names.includes(n)) : [];
  const warnings: string[] = [];
  const notes: string[] = [];
  if (names.length === 0) {
    warnings.push(
      mode === 'all'
        ? 'no database was dumped: the server lists no application database; the requirements class the databases as P0: check database.container and the credentials, or set database.enabled: false if this server has none'
        : 'no database was dumped: database.databases is empty; the requirements class the databases as P0: set it to all (or list them), or set database.enabled: false if this server has none',
    );
  }
  const why = mode === 'all' ? 'the server no longer lists it' : 'it is no longer in database.databases';
  for (const n of disappeared) warnings.push(`database ${n} disappeared since ${prev!.id}: ${why}; its last dump is in ${prev!.id}`);
  for (const n of appeared) notes.push(`database ${n} appeared since ${prev!.id}: dumped from now on`);
  return { list: { mode, names, since: prev?.id, appeared, disappeared }, warnings, notes };
}
