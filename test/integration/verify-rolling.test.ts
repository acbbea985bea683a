/**
 * `verify --rolling DAYS` through the built CLI on real files: three snapshots that share
 * inodes as backups make them (a daily, its hardlink successor with new mail, a weekly clone).
 * Damage is real bytes flipped on disk; which run finds it is observed, never computed from src.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildSnapshot, makeDestination, pointLatest, removeDestination, runCli, sampleMail, writeConfig } from '../helpers/snapshot-builder.js';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) removeDestination(r);
});

const DAYS = 3;
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

/** 40 messages on day 1; day 2 links them and adds 10; a weekly clone of day 2. All finished just now. */
function threeSnapshots() {
  const root = makeDestination('mb-rolling-');
  roots.push(root);
  const msg = (u: string, i: number) => `mail/vmail/example.com/${u}/cur/17000${String(i).padStart(4, '0')}.M${i}P1.mail,S=100,W=102:2,S`;
  const day1: Record<string, string> = { ...sampleMail('r') };
  for (let i = 0; i < 40; i++) day1[msg(i % 2 ? 'alice' : 'bob', i)] = `From: x${i}@example.com\nSubject: ${i}\n\n${'body '.repeat(i)}\n`;
  const day2: Record<string, string> = {};
  for (let i = 40; i < 50; i++) day2[msg('carol', i)] = `From: y${i}@example.com\nSubject: new ${i}\n\nhi\n`;
  const d1 = buildSnapshot(root, { date: '2026-03-01', files: day1, databases: { usermgmt: 'INSERT INTO users VALUES (1);' }, finishedAt: hoursAgo(30) });
  const d2 = buildSnapshot(root, { date: '2026-03-02', cloneFrom: d1, files: day2, databases: { usermgmt: 'INSERT INTO users VALUES (2);' }, finishedAt: hoursAgo(2) });
  const w = buildSnapshot(root, { kind: 'weekly', date: '2026-03-02', cloneFrom: d2, databases: { usermgmt: 'INSERT INTO users VALUES (2);' }, finishedAt: hoursAgo(1.9) });
  pointLatest(root, 'daily', '2026-03-02');
  const snaps = { 'daily/2026-03-01': d1, 'daily/2026-03-02': d2, 'weekly/2026-03-02': w };
  /** every `<snapshot>/<path>` listed in a manifest: what a full re-read must cover */
  const entries = Object.entries(snaps).flatMap(([id, dir]) =>
    readFileSync(join(dir, 'manifest.sha256'), 'utf8').split('\n').filter(Boolean).map((l) => `${id}/${l.slice(66)}`),
  );
  return { root, d1, d2, w, entries, config: writeConfig(root, { verify: { rollingDays: DAYS } }) };
}

function flipByte(file: string): void {
  const b = readFileSync(file);
  b[b.length - 2] ^= 0x20;
  writeFileSync(file, b); // same inode, as rot would leave it
}

interface Run {
  code: number;
  slice: number;
  files: number;
  damaged: string[];
}
function rolling(config: string, days: number | undefined = DAYS): Run {
  const r = runCli(['--config', config, '--json', 'verify', '--rolling', ...(days === undefined ? [] : [String(days)])]);
  const j = JSON.parse(r.stdout);
  const damaged = j.snapshots.flatMap((s: { snapshot: string; damaged: { path: string }[] }) => s.damaged.map((d) => `${s.snapshot}/${d.path}`));
  return { code: r.code, slice: j.slice, files: j.checked.files, damaged };
}
const state = (root: string) => JSON.parse(readFileSync(join(root, '.state', 'rolling-verify.json'), 'utf8'));
const meta = (dir: string) => JSON.parse(readFileSync(join(dir, 'backup.json'), 'utf8'));

describe('verify --rolling', () => {
  it('DAYS runs re-read every manifest entry of every ok snapshot, each exactly once, then start over', () => {
    const { root, entries, config } = threeSnapshots();
    const runs = Array.from({ length: DAYS }, () => rolling(config));
    for (const r of runs) expect(r.code).toBe(0);
    expect(runs.map((r) => r.slice).sort()).toEqual([0, 1, 2]);
    for (const r of runs) expect(r.files).toBeGreaterThan(0);
    expect(runs.reduce((n, r) => n + r.files, 0)).toBe(entries.length);

    const cov = state(root);
    expect(cov).toMatchObject({ format: 1, days: DAYS });
    expect(cov.slices.map((s: { slice: number; ok: boolean; snapshots: string[] }) => [s.slice, s.ok, s.snapshots.length])).toEqual([
      [0, true, 3],
      [1, true, 3],
      [2, true, 3],
    ]);
    // the next run re-reads the slice read longest ago: the first one
    expect(rolling(config).slice).toBe(runs[0].slice);
  });

  it('with every file rotten, each run names exactly the files of its slice: together all of them, none twice', () => {
    const { d1, d2, w, entries, config } = threeSnapshots();
    // every distinct inode: day 1's files (shared by day 2 and the weekly), day 2's new files and dumps, the weekly's dump
    for (const e of entries.filter((p) => p.startsWith('daily/2026-03-01/'))) flipByte(join(d1, e.slice('daily/2026-03-01/'.length)));
    for (const i of [40, 41, 42, 43, 44, 45, 46, 47, 48, 49]) flipByte(join(d2, `mail/vmail/example.com/carol/cur/17000${String(i).padStart(4, '0')}.M${i}P1.mail,S=100,W=102:2,S`));
    flipByte(join(d2, 'mysql/usermgmt.sql.gz'));
    flipByte(join(w, 'mysql/usermgmt.sql.gz'));

    const runs = Array.from({ length: DAYS }, () => rolling(config));
    for (const r of runs) expect(r.code).toBe(2);
    const found = runs.flatMap((r) => r.damaged);
    expect(new Set(found).size).toBe(found.length);
    expect(found.sort()).toEqual([...entries].sort());
  });

  it('a flipped byte is found by the one run whose slice holds it, in every snapshot sharing the file, and recorded', () => {
    const { root, d1, d2, w, config } = threeSnapshots();
    const rel = 'mail/vmail/example.com/alice/cur/170000007.M7P1.mail,S=100,W=102:2,S';
    flipByte(join(d1, rel)); // one inode, linked into day 2 and the weekly
    const runs = Array.from({ length: DAYS }, () => rolling(config));
    const finders = runs.filter((r) => r.damaged.length > 0);
    expect(finders).toHaveLength(1);
    expect(finders[0].code).toBe(2);
    expect(finders[0].damaged.sort()).toEqual([`daily/2026-03-01/${rel}`, `daily/2026-03-02/${rel}`, `weekly/2026-03-02/${rel}`]);
    for (const r of runs.filter((x) => x !== finders[0])) expect(r.code).toBe(0);

    for (const dir of [d1, d2, w]) expect(meta(dir).verification).toMatchObject({ level: 'rolling', ok: false, damaged: [`${rel}: changed (sha256 differs from manifest.sha256)`] });
    const bad = state(root).slices.find((s: { ok: boolean }) => !s.ok);
    expect(bad.slice).toBe(finders[0].slice);
    const st = runCli(['--config', config, 'status']);
    expect(st.code).toBe(2);
    expect(st.stdout).toMatch(/CRITICAL\s+rolling verification of slice \d\/3 .* found damage \(daily\/2026-03-01\/mail\/vmail/);
  });

  it('a file deleted from the disk is named missing by the run of its slice', () => {
    const { d2, config } = threeSnapshots();
    const rel = 'mail/vmail/example.com/carol/cur/170000044.M44P1.mail,S=100,W=102:2,S';
    rmSync(join(d2, rel));
    const found = Array.from({ length: DAYS }, () => rolling(config)).flatMap((r) => r.damaged);
    expect(found).toEqual([`daily/2026-03-02/${rel}`]);
  });

  it('status is OK while every slice was re-read within DAYS days and turns WARNING (with the metric) when one is older', () => {
    const { root, config } = threeSnapshots();
    for (let i = 0; i < DAYS; i++) expect(rolling(config).code).toBe(0);
    const ok = runCli(['--config', config, 'status']);
    expect(ok.stdout.split('\n')[0], ok.stdout).toBe('MAILBACKUP OK - all checks passed');
    expect(ok.stdout).toMatch(/rolling:\s+every 3 days, oldest slice re-read/);

    // the same coverage, as if slice 1 had last been read 3 days and 1 hour ago (within the 2 h grace)
    const age = (hours: number) => {
      const cov = state(root);
      cov.since = hoursAgo(DAYS * 24 + 10);
      cov.slices[1].at = hoursAgo(hours);
      writeFileSync(join(root, '.state', 'rolling-verify.json'), JSON.stringify(cov));
    };
    age(DAYS * 24 + 1);
    expect(runCli(['--config', config, 'status']).code).toBe(0);

    age(DAYS * 24 + 3);
    const prom = join(root, '..', `${root.split('/').pop()}.prom`);
    roots.push(prom);
    const late = runCli(['--config', config, 'status', '--prometheus', prom]);
    expect(late.code).toBe(1);
    expect(late.stdout).toMatch(/WARNING\s+1 of 3 slices of the backup data not re-read within 3 days/);
    expect(readFileSync(prom, 'utf8')).toMatch(/^mailbackup_rolling_verify_stale_slices 1$/m);

    // the overdue slice is the one the next run reads; after it status is OK again
    const next = rolling(config);
    expect(next.slice).toBe(1);
    expect(runCli(['--config', config, 'status']).code).toBe(0);
  });

  it('takes DAYS from verify.rollingDays when omitted, and rejects a DAYS that is not a whole number', () => {
    const { root, config } = threeSnapshots();
    expect(rolling(config, undefined).code).toBe(0);
    expect(state(root).days).toBe(DAYS);
    const bad = runCli(['--config', config, 'verify', '--rolling', '0']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/DAYS must be a whole number/);
    expect(runCli(['--config', config, 'verify', '--rolling', '3', '--full']).code).toBe(64);
  });
});
