/**
 * A snapshot in the on-disk format of docs/on-disk-format.md made from a fixture's source tree with the real
 * tools (rsync -a for file components, mariadb-dump | gzip for databases), for restore tests
 * that must not depend on the backup command. Also: tree fingerprints for before/after checks.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { BackupMeta } from '../../src/repository/metadata.js';
import { setLatest } from '../../src/repository/snapshots.js';
import type { Fixture } from '../helpers/fixture.js';
import { tableRowCounts } from '../helpers/mariadb.js';

export interface SnapOptions {
  date: string;
  status?: 'ok' | 'failed';
  databases?: string[];
}

export async function takeSnapshot(fx: Fixture, o: SnapOptions): Promise<string> {
  const dir = join(fx.destRoot, 'daily', o.date);
  mkdirSync(dir, { recursive: true });
  const rsync = (src: string, dst: string) => execFileSync('rsync', ['-aH', '--numeric-ids', src + '/', dst + '/']);
  const src = fx.sourceRoot;
  rsync(join(src, 'data/mail'), join(dir, 'mail'));
  rsync(join(src, 'data/certbot'), join(dir, 'ssl'));
  rsync(join(src, 'config/opendkim'), join(dir, 'dkim'));
  rsync(join(src, 'logs'), join(dir, 'logs'));
  mkdirSync(join(dir, 'config'));
  execFileSync('rsync', ['-aHR', '--numeric-ids', '--exclude=/config/opendkim', 'docker-compose.yml', '.env', 'config', 'scripts', join(dir, 'config') + '/'], { cwd: src });
  const databases: BackupMeta['databases'] = {};
  for (const db of o.databases ?? []) {
    mkdirSync(join(dir, 'mysql'), { recursive: true, mode: 0o700 });
    const sql = execFileSync(
      'mariadb-dump',
      ['--no-defaults', `--socket=${fx.mariadb!.socket}`, '-uroot', '--single-transaction', '--routines', '--events', '--triggers', '--hex-blob', '--default-character-set=utf8mb4', db],
      { env: { ...process.env, MYSQL_PWD: fx.mariadb!.password }, maxBuffer: 512 * 1024 * 1024 },
    );
    const gz = execFileSync('gzip', ['-c'], { input: sql, maxBuffer: 512 * 1024 * 1024 });
    writeFileSync(join(dir, 'mysql', `${db}.sql.gz`), gz, { mode: 0o600 });
    const sha256 = createHash('sha256').update(gz).digest('hex');
    databases[db] = { file: `mysql/${db}.sql.gz`, bytes: gz.length, sha256, tables: await tableRowCounts(fx.mariadb!, db) };
  }
  const comp = { status: 'ok' as const, files: 0, bytes: 0, durationMs: 1 };
  const meta: BackupMeta = {
    format: 1,
    tool: { name: 'mailbackup', version: '0.1.0' },
    host: 'mail.example.com',
    date: o.date,
    kind: 'daily',
    startedAt: `${o.date}T03:00:00.000Z`,
    finishedAt: `${o.date}T03:10:00.000Z`,
    status: o.status ?? 'ok',
    components: { mail: comp, ssl: comp, dkim: comp, config: comp, logs: comp },
    databases,
    warnings: [],
  };
  writeFileSync(join(dir, 'backup.json'), JSON.stringify(meta, null, 2), { mode: 0o600 });
  if ((o.status ?? 'ok') === 'ok') setLatest(fx.destRoot, { kind: 'daily', date: o.date });
  return dir;
}

/** Dovecot's binary index files in the generated tree are random bytes; real doveadm would rebuild them noisily. */
export function dropFakeIndexes(dir: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) dropFakeIndexes(p);
    else if (e.name.startsWith('dovecot.index') || e.name.startsWith('dovecot.list.index')) rmSync(p);
  }
}

export interface Fingerprint {
  type: string;
  mode: number;
  uid: number;
  gid: number;
  mtimeMs: number;
  ino: number;
  size: number;
  /** sha256 of a file, the target of a symlink */
  content: string;
}

/** Every entry under `root` (relative path → type, attributes, content hash, inode). */
export function fingerprint(root: string): Map<string, Fingerprint> {
  const out = new Map<string, Fingerprint>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const st = lstatSync(p);
      const type = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'link' : st.isFile() ? 'file' : 'other';
      const content = type === 'file' ? createHash('sha256').update(readFileSync(p)).digest('hex') : type === 'link' ? readlinkSync(p) : '';
      out.set(relative(root, p), { type, mode: st.mode, uid: st.uid, gid: st.gid, mtimeMs: st.mtimeMs, ino: st.ino, size: st.size, content });
      if (type === 'dir') walk(p);
    }
  };
  walk(root);
  return out;
}

/** Fingerprints without inode and directory mtimes: for comparing a copy with its original. */
export function comparable(fp: Map<string, Fingerprint>): Record<string, Omit<Fingerprint, 'ino'>> {
  const out: Record<string, Omit<Fingerprint, 'ino'>> = {};
  for (const [p, f] of fp) {
    const { ino: _ino, ...rest } = f;
    out[p] = f.type === 'dir' ? { ...rest, mtimeMs: 0, size: 0 } : f.type === 'link' ? { ...rest, mtimeMs: 0 } : rest;
  }
  return out;
}
