/**
 * status through the built CLI: Nagios exit codes for each state, on snapshots laid out as
 * backups make them; disk usage on a real small tmpfs; the Prometheus file; --notify that
 * cannot mail does not change the verdict.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildSnapshot, makeDestination, pointLatest, removeDestination, runCli, sampleMail, writeConfig } from '../helpers/snapshot-builder.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
const today = () => new Date().toISOString().slice(0, 10);

function destination(): string {
  const root = makeDestination('mb-status-');
  cleanups.push(() => removeDestination(root));
  return root;
}

function okSnapshot(root: string, finishedHoursAgo: number, date = today()) {
  buildSnapshot(root, { date, files: sampleMail(date), databases: { usermgmt: 'INSERT 1;' }, finishedAt: hoursAgo(finishedHoursAgo) });
  pointLatest(root, 'daily', date);
}

function lastRun(root: string, exitCode: number, errors: string[] = []) {
  mkdirSync(join(root, '.state'), { recursive: true });
  writeFileSync(join(root, '.state', 'last-backup.json'), JSON.stringify({ command: 'backup', runId: 'r1', startedAt: hoursAgo(1.5), finishedAt: hoursAgo(1), exitCode, errors, warnings: [] }));
}

describe('status exit codes', () => {
  it('fresh ok backup: 0 and a Nagios first line', () => {
    const root = destination();
    okSnapshot(root, 2);
    lastRun(root, 0);
    const r = runCli(['--config', writeConfig(root), 'status']);
    expect(r.stdout.split('\n')[0]).toBe('MAILBACKUP OK - all checks passed');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/newest ok:\s+daily\/\S+, finished .* \(2\.0 h ago\)/);
  });

  it('stale backup: 1 (WARNING)', () => {
    const root = destination();
    okSnapshot(root, 30);
    const r = runCli(['--config', writeConfig(root), 'status']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/WARNING\s+newest ok snapshot daily\/\S+ finished 30\.0 h ago/);
  });

  it('no snapshot: 2 (CRITICAL)', () => {
    const root = destination();
    const r = runCli(['--config', writeConfig(root), 'status']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('no ok snapshot');
  });

  it('failed last run: 2 (CRITICAL) naming the error', () => {
    const root = destination();
    okSnapshot(root, 25);
    lastRun(root, 2, ['mariadb-dump usermgmt: trailer missing']);
    const r = runCli(['--config', writeConfig(root), 'status']);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/CRITICAL\s+last backup .* failed with exit 2: mariadb-dump usermgmt: trailer missing/);
  });

  it('unmounted disk: 2 (CRITICAL), and --notify without a mailer keeps that verdict', () => {
    const root = destination();
    rmSync(join(root, '.mailbackup'));
    const r = runCli(['--config', writeConfig(root), 'status', '--notify']);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/no \.mailbackup marker: is the disk mounted\?/);
  });

  it('disk usage above diskUsageWarnPercent on a real filesystem: 1 (WARNING)', () => {
    const mnt = mkdtempSync(join(tmpdir(), 'mb-status-disk-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mnt]);
    cleanups.push(() => rmSync(mnt, { recursive: true, force: true }));
    cleanups.push(() => execFileSync('umount', [mnt]));
    const root = join(mnt, 'mailserver');
    mkdirSync(root);
    writeFileSync(join(root, '.mailbackup'), JSON.stringify({ format: 1, createdAt: new Date().toISOString() }));
    okSnapshot(root, 1);
    writeFileSync(join(root, 'filler'), Buffer.alloc(7 * 1024 * 1024 - 300 * 1024));
    const config = join(mnt, '..', `${mnt.split('/').pop()}.json`);
    writeFileSync(config, JSON.stringify({ source: { root: '/srv' }, destination: { root }, database: {}, log: { dir: join(mnt, 'logs') }, notify: { diskUsageWarnPercent: 80 } }));
    cleanups.push(() => rmSync(config, { force: true }));
    const r = runCli(['--config', config, '--json', 'status']);
    const report = JSON.parse(r.stdout);
    expect(r.code).toBe(1);
    expect(report.problems.map((p: { key: string }) => p.key)).toEqual(['disk.usage']);
    expect(report.disk.usedRatio).toBeGreaterThan(0.8);
  });
});

describe('status and drill reports', () => {
  it('reads the newest drills/<date>.json: old drill WARNING, then a fresh failed one WARNING', () => {
    const root = destination();
    okSnapshot(root, 2);
    const config = writeConfig(root);
    mkdirSync(join(root, 'drills'));
    const drill = (daysAgo: number, ok: boolean) => {
      const finishedAt = hoursAgo(daysAgo * 24);
      writeFileSync(join(root, 'drills', `${finishedAt.slice(0, 10)}.json`), JSON.stringify({ date: finishedAt.slice(0, 10), finishedAt, ok, phases: [] }));
    };
    drill(200, true);
    drill(100, true);
    const old = runCli(['--config', config, '--json', 'status']);
    expect(old.code).toBe(1);
    expect(JSON.parse(old.stdout).problems).toEqual([expect.objectContaining({ key: 'drill.old', state: 'WARNING' })]);
    drill(1, false);
    const failed = JSON.parse(runCli(['--config', config, '--json', 'status']).stdout);
    expect(failed.problems.map((p: { key: string }) => p.key)).toEqual(['drill.failed']);
    expect(failed.drill).toMatchObject({ ok: false });
  });
});

describe('status over a full retention set', () => {
  it('counts 30 daily and 12 weekly against retention and writes a Prometheus file', () => {
    const root = destination();
    const day = (i: number) => new Date(Date.now() - i * 86_400_000).toISOString().slice(0, 10);
    let prev: string | undefined;
    for (let i = 29; i >= 0; i--) {
      const databases = { usermgmt: `INSERT INTO users VALUES (${i});` }; // a snapshot without a dump is a status WARNING
      prev = buildSnapshot(root, { date: day(i), cloneFrom: prev, files: { [`mail/vmail/example.com/alice/new/${i}`]: `m${i}` }, databases, finishedAt: hoursAgo(i * 24 + 1), addedBytes: 1000 });
    }
    for (let w = 0; w < 12; w++) buildSnapshot(root, { kind: 'weekly', date: day(w * 7 + 1), files: sampleMail(`w${w}`), finishedAt: hoursAgo(w * 168 + 20) });
    pointLatest(root, 'daily', day(0));
    const prom = join(root, '..', `${root.split('/').pop()}.prom`);
    cleanups.push(() => rmSync(prom, { force: true }));
    const r = runCli(['--config', writeConfig(root), '--json', 'status', '--prometheus', prom]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.snapshots).toMatchObject({ daily: { ok: 30, failed: 0 }, weekly: { ok: 12, failed: 0 } });
    expect(report.disk.growthBytesPerDay).toBeGreaterThan(0);
    const text = readFileSync(prom, 'utf8');
    expect(text).toContain('mailbackup_snapshots{kind="daily",status="ok"} 30');
    expect(text).toContain('mailbackup_snapshots{kind="weekly",status="ok"} 12');
    expect(text).toMatch(/^mailbackup_status 0$/m);
  });
});
