import { describe, expect, it } from 'vitest';
import { previousNames, selectDatabases } from '../../../../src/datasource/mariadb/select.js';
import type { Config } from '../../../../src/config/schema.js';
import type { BackupMeta } from '../../../../src/repository/metadata.js';

const db = (over: Partial<Config['database']>): Config['database'] => ({ runtime: 'docker', container: 'c', user: 'root', credentialsFile: '/x', enabled: true, databases: 'all', ...over });
const SERVER = ['information_schema', 'mysql', 'performance_schema', 'sys', 'usermgmt', 'roundcubemail', 'wiki', 'usermgmt_drill'];

describe('which databases a run dumps', () => {
  it('all: what the server lists, minus its own schemas and drill scratch copies', () => {
    const s = selectDatabases(db({}), SERVER, undefined);
    expect(s.list).toMatchObject({ mode: 'all', names: ['roundcubemail', 'usermgmt', 'wiki'], appeared: [], disappeared: [] });
    expect(s.warnings).toEqual([]);
  });

  it('names what appeared, warns about what disappeared since the previous snapshot', () => {
    const s = selectDatabases(db({}), [...SERVER.filter((n) => n !== 'wiki'), 'newapp'], { id: 'daily/2026-12-01', names: ['roundcubemail', 'usermgmt', 'wiki'] });
    expect(s.list).toMatchObject({ appeared: ['newapp'], disappeared: ['wiki'], since: 'daily/2026-12-01' });
    expect(s.notes).toEqual(['database newapp appeared since daily/2026-12-01: dumped from now on']);
    expect(s.warnings).toHaveLength(1);
    expect(s.warnings[0]).toMatch(/database wiki disappeared since daily\/2026-12-01: the server no longer lists it/);
  });

  it('nothing to dump is a warning, unless database.enabled is false', () => {
    expect(selectDatabases(db({ databases: [] }), undefined, undefined).warnings[0]).toMatch(/database\.databases is empty.*P0/);
    expect(selectDatabases(db({}), ['mysql', 'sys'], undefined).warnings[0]).toMatch(/lists no application database.*P0/);
    const off = selectDatabases(db({ enabled: false, databases: [] }), undefined, { id: 'p', names: ['usermgmt'] });
    expect(off).toMatchObject({ warnings: [], list: { mode: 'disabled', names: [] } });
  });

  it('the previous list: backup.json databaseList, else the dumps an older snapshot holds', () => {
    const meta = { databases: { a: {}, b: {} } } as unknown as BackupMeta;
    expect(previousNames(meta)).toEqual(['a', 'b']);
    expect(previousNames({ ...meta, databaseList: { mode: 'all', names: ['c'], appeared: [], disappeared: [] } })).toEqual(['c']);
    expect(previousNames(undefined)).toBeUndefined();
  });
});
