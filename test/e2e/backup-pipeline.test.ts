/**
 * Issue 2, "must show": layout and metadata after two runs on consecutive dates, the manifest
 * checked by coreutils, dumps that load into a fresh database, invariants 3, 7 and 10.
 */
import { execFileSync, execSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixture, type Fixture } from '../helpers/fixture.js';
import { simulateDay } from '../helpers/mailtree.js';
import { tableRowCounts } from '../helpers/mariadb.js';
import { diffStates, treeState, type FileState } from '../helpers/tree-state.js';

let f: Fixture;
let day1: Map<string, FileState>;
let renamed: { from: string; to: string }[];
let created: string[];
let chmodded: string;
let chowned: string;
const D1 = '2026-11-27';
const D2 = '2026-11-28';
const snap = (d: string) => join(f.destRoot, 'daily', d);

beforeAll(async () => {
  f = await createFixture();
  const r1 = await f.run(['backup', '--date', D1]);
  expect(r1.code, r1.stderr).toBe(0);
  day1 = treeState(snap(D1));

  // One day of mail, plus attribute-only changes that rsync would apply in place.
  const day = simulateDay(f.sourceRoot, { seed: 7, newFraction: 0.05, readFraction: 0.2, moveFraction: 0.02, expungeFraction: 0.02 });
  renamed = day.renamed.filter((r) => !day.moved.includes(r));
  created = day.created;
  const untouched = f.tree.users[0].folders.flatMap((fo) => ['cur', 'new'].flatMap((sub) => {
    const dir = join(fo.dir, sub);
    return existsSync(dir) ? readdirSync(dir).map((n) => join(dir, n)) : [];
  })).filter((p) => {
    const r = p.slice(f.tree.mailDir.length + 1);
    return !day.renamed.some((x) => x.from === r || x.to === r) && !day.deleted.includes(r) && existsSync(p);
  });
  chmodded = untouched[0];
  chowned = untouched[1];
  chmodSync(chmodded, 0o644);
  chownSync(chowned, 1234, 1234);
  const r2 = await f.run(['backup', '--date', D2]);
  expect(r2.code, r2.stderr).toBe(0);
});

afterAll(async () => {
  await f?.cleanup();
});

/** simulateDay reports paths relative to the mail dir; the snapshot holds them under mail/ */
const rel = (p: string) => `mail/${p.startsWith('/') ? p.slice(f.tree.mailDir.length + 1) : p}`;

describe('backup, two consecutive days', () => {
  it('lays out the destination as docs/on-disk-format.md says', () => {
    expect(readlinkSync(join(f.destRoot, 'latest'))).toBe(`daily/${D2}`);
    for (const d of [D1, D2]) {
      const names = readdirSync(snap(d)).sort();
      expect(names).toEqual(['backup.json', 'backup.log', 'config', 'dkim', 'logs', 'mail', 'manifest.index', 'manifest.sha256', 'messages.index', 'messages.index.sha256', 'mysql', 'ssl']);
      expect(readdirSync(join(snap(d), 'mysql')).sort()).toEqual(['grants.sql.gz', 'roundcubemail.sql.gz', 'usermgmt.sql.gz']);
    }
    expect(readdirSync(join(f.destRoot, 'daily')).sort()).toEqual([D1, D2]); // no .partial left
    const meta = JSON.parse(readFileSync(join(snap(D2), 'backup.json'), 'utf8'));
    expect(meta).toMatchObject({ format: 1, date: D2, kind: 'daily', status: 'ok', basedOn: `daily/${D1}`, verification: { ok: true } });
    for (const c of ['databases', 'mail', 'ssl', 'dkim', 'config', 'logs']) expect(meta.components[c].status).toBe('ok');
    expect(meta.components.mail.files).toBeGreaterThan(100);
    expect(meta.tool.name).toBe('mailbackup');
    expect(Date.parse(meta.finishedAt)).toBeGreaterThanOrEqual(Date.parse(meta.startedAt));
    expect(readFileSync(join(snap(D2), 'backup.log'), 'utf8')).toMatch(/INFO {2}mail: [\d,]+ files, [\d.]+ \w?i?B; [\d,]+ new, .* copied in [\d.]+ s/);
  });

  it('mirrors config entries by relative path and leaves config/opendkim to dkim', () => {
    expect(existsSync(join(snap(D2), 'config/docker-compose.yml'))).toBe(true);
    expect(existsSync(join(snap(D2), 'config/.env'))).toBe(true);
    expect(existsSync(join(snap(D2), 'config/config/postfix/main.cf'))).toBe(true);
    expect(existsSync(join(snap(D2), 'config/config/opendkim'))).toBe(false);
    expect(readdirSync(join(snap(D2), 'dkim')).length).toBeGreaterThan(0);
  });

  it('keeps certbot live/ symlinks as symlinks into archive/', () => {
    const live = join(snap(D2), 'ssl/live', f.tree.domains[0], 'fullchain.pem');
    expect(lstatSync(live).isSymbolicLink()).toBe(true);
    expect(readlinkSync(live)).toMatch(/^\.\.\/\.\.\/archive\//);
    expect(readFileSync(live, 'utf8')).toMatch(/BEGIN CERTIFICATE/);
  });

  it('writes a manifest that coreutils sha256sum -c accepts, covering every data file', () => {
    for (const d of [D1, D2]) {
      execFileSync('sha256sum', ['-c', '--quiet', 'manifest.sha256'], { cwd: snap(d) });
      const listed = readFileSync(join(snap(d), 'manifest.sha256'), 'utf8').trim().split('\n').length;
      const files = execSync(`find . -type f ! -path ./manifest.sha256 ! -path ./manifest.index ! -path ./backup.json ! -path ./backup.log ! -path './messages.index*' | wc -l`, { cwd: snap(d) });
      expect(listed).toBe(Number(files.toString().trim()));
    }
  });

  it('dumps pass gzip -t and load into a fresh database with the same tables and row counts', async () => {
    const meta = JSON.parse(readFileSync(join(snap(D2), 'backup.json'), 'utf8'));
    for (const db of ['usermgmt', 'roundcubemail']) {
      const file = join(snap(D2), 'mysql', `${db}.sql.gz`);
      execFileSync('gzip', ['-t', file]);
      const fresh = `${db}_loaded`;
      await f.mariadb!.query(`CREATE DATABASE ${fresh}`);
      execSync(`zcat ${file} | mariadb --no-defaults -S ${f.mariadb!.socket} -u root ${fresh}`, { env: { ...process.env, MYSQL_PWD: f.mariadb!.password } });
      const live = await tableRowCounts(f.mariadb!, db);
      expect(await tableRowCounts(f.mariadb!, fresh)).toEqual(live);
      expect(meta.databases[db].tables).toEqual(live); // counted from the dump stream
      expect(Object.keys(live).length).toBeGreaterThan(2);
    }
  });

  it('never changes an earlier snapshot (invariant 3), and shares unchanged and renamed messages', () => {
    expect(diffStates(day1, treeState(snap(D1)))).toEqual([]);
    const now = treeState(snap(D2));
    expect(renamed.length).toBeGreaterThan(5);
    for (const r of renamed) {
      const before = day1.get(rel(r.from));
      const after = now.get(rel(r.to));
      expect(after, r.to).toBeDefined();
      expect(after!.ino, `${r.from} -> ${r.to} is linked, not copied`).toBe(before!.ino);
    }
    const unchanged = [...day1.entries()].filter(([p, s]) => p.startsWith('mail/vmail/') && s.size > 0 && s.content.length === 64 && now.get(p)?.content === s.content && p !== rel(chmodded) && p !== rel(chowned));
    expect(unchanged.length).toBeGreaterThan(100);
    for (const [p, s] of unchanged) expect(now.get(p)!.ino, p).toBe(s.ino);
    // attribute-only changes got their own inode in the new snapshot, with the new attributes
    expect(now.get(rel(chmodded))!.ino).not.toBe(day1.get(rel(chmodded))!.ino);
    expect(now.get(rel(chmodded))!.mode & 0o777).toBe(0o644);
    expect(now.get(rel(chowned))!.uid).toBe(1234);
    for (const c of created) expect(now.has(rel(c)), c).toBe(true);
  });

  it('keeps modes: root 0700, dumps and metadata 0600, source modes and numeric owners (invariant 10)', () => {
    expect(statSync(f.destRoot).mode & 0o777).toBe(0o700);
    for (const p of ['backup.json', 'backup.log', 'manifest.sha256', 'manifest.index', 'mysql/usermgmt.sql.gz']) {
      expect(statSync(join(snap(D2), p)).mode & 0o777, p).toBe(0o600);
    }
    const src = treeState(f.tree.mailDir);
    const dst = treeState(join(snap(D2), 'mail'));
    // the snapshot holds exactly the source's paths: none lost, none extra
    expect([...dst.keys()]).toEqual([...src.keys()]);
    // and the source has something a copy could lose: several modes and owners, not one default
    const files = [...src.values()].filter((s) => s.content && !s.content.startsWith('->'));
    expect(files.length).toBeGreaterThan(100);
    expect(new Set(files.map((s) => s.mode & 0o7777)).size).toBeGreaterThan(1);
    expect(new Set(files.map((s) => `${s.uid}:${s.gid}`))).toEqual(new Set(['5000:5000', '1234:1234']));
    for (const [p, s] of src) {
      const t = dst.get(p)!;
      expect([t.mode, t.uid, t.gid, t.content], p).toEqual([s.mode, s.uid, s.gid, s.content]);
      if (!(s.mode & 0o040000)) expect(t.mtimeMs, p).toBe(s.mtimeMs);
    }
    const env = join(snap(D2), 'config/.env');
    expect(statSync(env).mode & 0o777).toBe(statSync(join(f.sourceRoot, '.env')).mode & 0o777);
  });

  it('never puts the database password in any argv, log, or metadata (invariant 7)', () => {
    const pw = f.mariadb!.password;
    expect(pw.length).toBeGreaterThan(8);
    const argv = f.shim.argvLog();
    expect(argv.some((a) => a.includes('mariadb-dump'))).toBe(true);
    expect(argv.some((a) => a.includes('MYSQL_PWD'))).toBe(true); // handed over by name only
    expect(JSON.stringify(argv)).not.toContain(pw);
    const logDir = join(f.base, 'log');
    const logs = readdirSync(logDir).map((n) => readFileSync(join(logDir, n), 'utf8')).join('\n');
    expect(logs).toMatch(/"spawn"/); // debug level records every argv we spawned
    expect(logs).not.toContain(pw);
    for (const d of [D1, D2]) {
      expect(readFileSync(join(snap(d), 'backup.json'), 'utf8')).not.toContain(pw);
      expect(readFileSync(join(snap(d), 'backup.log'), 'utf8')).not.toContain(pw);
    }
  });
});
