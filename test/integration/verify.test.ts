/**
 * verify through the built CLI on snapshots made with gzip and sha256sum. The damage is real
 * bytes on disk: a flipped byte, a truncated dump, a deleted and an added file.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, readFileSync, rmSync, truncateSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkWrittenDump } from '../../src/datasource/mariadb/dump.js';
import { DUMP_PROBLEM } from '../../src/repository/dump-format.js';
import { buildSnapshot, makeDestination, pointLatest, removeDestination, runCli, sampleMail, writeConfig } from '../helpers/snapshot-builder.js';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) removeDestination(r);
});

const ALICE = 'mail/vmail/example.com/alice/cur';
const NEW_MSG = `${ALICE}/1700000099.M9P9.mail,S=100,W=102:2,`;
const SHARED_MSG = `${ALICE}/170000001.M1P1.mail,S=100,W=102:2,S`;

/** day 1 full; day 2 a hardlink clone plus one new message and fresh dumps. */
function twoDays() {
  const root = makeDestination('mb-verify-');
  roots.push(root);
  const big = Array.from({ length: 4000 }, (_, i) => `INSERT INTO users VALUES (${i},'user${i}@example.com');`).join('\n');
  const d1 = buildSnapshot(root, { date: '2026-03-01', files: sampleMail('x'), databases: { usermgmt: big, roundcubemail: 'INSERT INTO session VALUES (1);' } });
  const d2 = buildSnapshot(root, {
    date: '2026-03-02',
    cloneFrom: d1,
    files: { [NEW_MSG]: 'From: dave@example.com\nSubject: new today\n\nbody\n' },
    databases: { usermgmt: big + '\nINSERT INTO users VALUES (9999,"x");', roundcubemail: 'INSERT INTO session VALUES (2);' },
  });
  pointLatest(root, 'daily', '2026-03-02');
  return { root, d1, d2, config: writeConfig(root) };
}

function flipByte(file: string, at = 10): void {
  const b = readFileSync(file);
  b[at] ^= 0x20;
  writeFileSync(file, b); // same inode: damage, not a new file
}

const meta = (dir: string) => JSON.parse(readFileSync(join(dir, 'backup.json'), 'utf8'));

describe('verify', () => {
  it('passes a sound snapshot at both levels and records the result in backup.json', () => {
    const { d2, config } = twoDays();
    const def = runCli(['--config', config, 'verify']);
    expect(def.code).toBe(0);
    expect(def.stdout).toMatch(/daily\/2026-03-02\s+ok\s+\(default: 8 files, 1 hashed/);
    expect(meta(d2).verification).toMatchObject({ level: 'default', ok: true });
    const full = runCli(['--config', config, 'verify', '--full', '2026-03-02']);
    expect(full.code).toBe(0);
    expect(meta(d2).verification).toMatchObject({ level: 'full', ok: true });
  });

  it('--full names every damaged path; default catches the dump and new-file damage but not old shared files', () => {
    const { d2, config } = twoDays();
    flipByte(join(d2, NEW_MSG)); // new inode in day 2
    flipByte(join(d2, SHARED_MSG)); // shared with day 1
    truncateSync(join(d2, 'mysql/usermgmt.sql.gz'), statSync(join(d2, 'mysql/usermgmt.sql.gz')).size - 200);
    rmSync(join(d2, 'dkim/keys/example.com/mail.private'));
    appendFileSync(join(d2, `${ALICE}/intruder`), 'not from the backup');

    // the standard tool agrees that the manifest no longer holds
    expect(spawnSync('sha256sum', ['-c', '--quiet', 'manifest.sha256'], { cwd: d2 }).status).not.toBe(0);

    const full = runCli(['--config', config, '--json', 'verify', '--full']);
    expect(full.code).toBe(2);
    const damaged = JSON.parse(full.stdout).reports[0].damaged.map((d: { path: string; problem: string }) => `${d.path}: ${d.problem}`);
    expect(damaged).toEqual([
      'dkim/keys/example.com/mail.private: missing (listed in manifest.sha256)',
      `${ALICE}/1700000099.M9P9.mail,S=100,W=102:2,: changed (sha256 differs from manifest.sha256)`,
      `${SHARED_MSG}: changed (sha256 differs from manifest.sha256)`,
      `${ALICE}/intruder: unexpected file (not in manifest.sha256)`,
      'mysql/usermgmt.sql.gz: dump truncated (gzip data ends early)',
      'mysql/usermgmt.sql.gz: sha256 differs from backup.json',
    ].sort());
    expect(meta(d2).verification).toMatchObject({ level: 'full', ok: false });
    expect(meta(d2).verification.damaged).toHaveLength(6);

    const def = runCli(['--config', config, 'verify', 'daily/2026-03-02']);
    expect(def.code).toBe(2);
    expect(def.stdout).toContain('mysql/usermgmt.sql.gz: dump truncated');
    expect(def.stdout).toContain(`${NEW_MSG}: changed`);
    expect(def.stdout).toContain('intruder: unexpected file');
    expect(def.stdout).toContain('mail.private: missing');
    expect(def.stdout).not.toContain(SHARED_MSG); // shared inode: only --full reads it

    const list = runCli(['--config', config, 'list']);
    expect(list.stdout).toMatch(/2026-03-02 \*.*DAMAGED \(default/);
  });

  it('reports a dump without trailer and a dump with bad gzip data', () => {
    const { root, d1, config } = twoDays();
    buildSnapshot(root, { date: '2026-03-03', cloneFrom: d1, databases: { usermgmt: 'INSERT 1;' }, trailer: false });
    const r = runCli(['--config', config, 'verify', '2026-03-03']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('mysql/usermgmt.sql.gz: "-- Dump completed" trailer missing');
    const d4 = buildSnapshot(root, { date: '2026-03-04', cloneFrom: d1, databases: { roundcubemail: 'INSERT 2;'.repeat(500) } });
    expect(runCli(['--config', config, 'verify', '2026-03-04']).code).toBe(0);
    flipByte(join(d4, 'mysql/roundcubemail.sql.gz'), 14);
    const again = runCli(['--config', config, 'verify', '2026-03-04']);
    expect(again.code).toBe(2);
    expect(again.stdout).toMatch(/mysql\/roundcubemail\.sql\.gz: (gzip data bad|dump truncated|"-- Dump completed" trailer missing)/);
    expect(again.stdout).toContain('mysql/roundcubemail.sql.gz: sha256 differs from backup.json');
  });

  it('fails a dump with SQL after its trailer, with the problem the backup raises for it (one rule)', async () => {
    const { root, d1, config } = twoDays();
    const body = 'INSERT INTO users VALUES (1);\n-- Dump completed on 2026-03-05  3:00:01\nDROP TABLE users;';
    const d5 = buildSnapshot(root, { date: '2026-03-05', cloneFrom: d1, databases: { usermgmt: body }, trailer: false });
    const r = runCli(['--config', config, 'verify', '2026-03-05']);
    expect(r.code).toBe(2);
    const file = join(d5, 'mysql/usermgmt.sql.gz');
    const gz = readFileSync(file);
    const backupSays = await checkWrittenDump(file, { rawBytes: execFileSync('gzip', ['-dc', file]).length, sha256: createHash('sha256').update(gz).digest('hex') });
    expect(backupSays).toEqual([DUMP_PROBLEM.trailer]);
    expect(r.stdout).toContain(`mysql/usermgmt.sql.gz: ${backupSays[0]}`);
  });

  it('gives the same answers for a manifest that is not in byte order (hand-edited)', () => {
    const { d2, config } = twoDays();
    const manifest = join(d2, 'manifest.sha256');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').trim().split('\n').reverse().join('\n') + '\n');
    expect(runCli(['--config', config, 'verify', '--full']).code).toBe(0);
    rmSync(join(d2, SHARED_MSG));
    appendFileSync(join(d2, `${ALICE}/stray`), 'x');
    const r = runCli(['--config', config, 'verify', '--full']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`${SHARED_MSG}: missing (listed in manifest.sha256)`);
    expect(r.stdout).toContain(`${ALICE}/stray: unexpected file (not in manifest.sha256)`);
  });

  it('exits 3 and records nothing when the manifest is missing', () => {
    const { root, config } = twoDays();
    const d3 = buildSnapshot(root, { date: '2026-03-03', files: sampleMail('y'), noManifest: true });
    const before = meta(d3).verification;
    const r = runCli(['--config', config, 'verify', '2026-03-03']);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/UNKNOWN\s+manifest\.sha256 is missing/);
    expect(meta(d3).verification).toEqual(before);
  });

  it('--all with no ok snapshot cannot determine anything: exit 3', () => {
    const root = makeDestination('mb-verify-');
    roots.push(root);
    buildSnapshot(root, { date: '2026-03-01', status: 'failed', files: sampleMail('f') });
    const r = runCli(['--config', writeConfig(root), 'verify', '--all']);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('no ok snapshot to verify');
    expect(r.stdout).toContain('daily/2026-03-01  skipped (marked failed)');
  });

  it('--all --full reads each shared inode once', () => {
    const { root, d2, config } = twoDays();
    buildSnapshot(root, { date: '2026-03-03', cloneFrom: d2, files: { [`${ALICE}/1700000100.M1P1.mail,S=5,W=5:2,`]: 'hello' } });
    buildSnapshot(root, { date: '2026-03-04', status: 'failed', files: sampleMail('z') });
    const distinct = new Set(
      execFileSync('sh', ['-c', "find daily/2026-03-0[123] -type f ! -name 'backup.*' ! -name 'manifest.*' ! -path '*/mysql/*' -printf '%i\\n'"], { cwd: root, encoding: 'utf8' })
        .split('\n')
        .filter(Boolean),
    );
    const r = runCli(['--config', config, '--json', 'verify', '--all', '--full']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.reports.map((x: { snapshot: string }) => x.snapshot)).toEqual(['daily/2026-03-01', 'daily/2026-03-02', 'daily/2026-03-03']);
    expect(out.skipped).toEqual(['daily/2026-03-04']);
    const hashed = out.reports.reduce((n: number, x: { checked: { hashed: number } }) => n + x.checked.hashed, 0);
    expect(hashed).toBe(distinct.size);
    expect(out.reports[2].checked.files).toBeGreaterThan(out.reports[2].checked.hashed);
  });
});
