/**
 * How runs relate to each other: the weekly clone, re-running a day (replaced only on success),
 * --dry-run writing nothing, --quiet printing nothing on success, --json.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFixture, type Fixture } from '../helpers/fixture.js';
import { storeCopies, type StoreCopies } from '../helpers/store-copies.js';
import { treeState } from '../helpers/tree-state.js';
import { pause, waitFor } from '../helpers/wait.js';

let f: Fixture;
let stores: StoreCopies;
const meta = (id: string) => JSON.parse(readFileSync(join(f.destRoot, id, 'backup.json'), 'utf8'));
const latest = () => readlinkSync(join(f.destRoot, 'latest'));

// Each test starts from a store of its own: 'empty' (the marker only) or 'daily-2026-11-04'
// (one ok daily, latest), built once here and copied in; no test sees what another left.
beforeAll(async () => {
  f = await createFixture({ tree: { domains: 1, usersPerDomain: 2 } });
  stores = storeCopies(f.destRoot);
  stores.save('empty');
  const r = await f.run(['backup', '--date', '2026-11-04']);
  if (r.code !== 0) throw new Error(`the base store's backup failed: ${r.stderr}`);
  stores.save('daily-2026-11-04');
});
beforeEach(() => f.shim.setContainer('mailserver-mariadb', 'running')); // even after a test that failed half-way
afterAll(async () => {
  stores?.cleanup();
  await f?.cleanup();
});

describe('backup runs', () => {
  it('--dry-run prints the plan and writes nothing', async () => {
    stores.use('empty');
    const before = treeState(f.mountDir);
    const r = await f.run(['backup', '--dry-run', '--date', '2026-11-01']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/dry run: would make daily\/2026-11-01/);
    expect(r.stdout).toMatch(/first full backup/);
    expect(r.stdout).toMatch(/config .*excluding \/config\/opendkim/);
    expect(treeState(f.mountDir)).toEqual(before);
  });

  it('--quiet prints nothing on success (cron mails any output); --json gives the result', async () => {
    stores.use('empty');
    const q = await f.run(['--quiet', 'backup', '--date', '2026-11-01']);
    expect(q.code, q.stderr).toBe(0);
    expect(q.stdout + q.stderr).toBe('');
    const j = await f.run(['--json', 'backup', '--date', '2026-11-02']);
    expect(j.code, j.stderr).toBe(0);
    const data = JSON.parse(j.stdout);
    expect(data).toMatchObject({ exitCode: 0, snapshot: 'daily/2026-11-02', status: 'ok', latest: 'daily/2026-11-02' });
  });

  it('--weekly clones the ok daily of that day with hardlinks, leaving the daily untouched', async () => {
    stores.use('empty');
    const made = await f.run(['backup', '--date', '2026-11-02']);
    expect(made.code, made.stderr).toBe(0);
    const daily = treeState(join(f.destRoot, 'daily/2026-11-02'));
    const r = await f.run(['backup', '--weekly', '--date', '2026-11-02']);
    expect(r.code, r.stderr).toBe(0);
    const weekly = join(f.destRoot, 'weekly/2026-11-02');
    expect(meta('weekly/2026-11-02')).toMatchObject({ kind: 'weekly', status: 'ok', clonedFrom: 'daily/2026-11-02' });
    expect(treeState(join(f.destRoot, 'daily/2026-11-02'))).toEqual(daily);
    const msg = [...daily.keys()].find((p) => p.startsWith('mail/vmail/') && p.includes('/cur/'))!;
    expect(statSync(join(weekly, msg)).ino).toBe(daily.get(msg)!.ino);
    expect(latest()).toBe('daily/2026-11-02'); // the daily wins a tie
  });

  it('--weekly without an ok daily that day makes a fresh backup of kind weekly', async () => {
    stores.use('empty');
    const r = await f.run(['backup', '--weekly', '--date', '2026-11-03']);
    expect(r.code, r.stderr).toBe(0);
    const m = meta('weekly/2026-11-03');
    expect(m).toMatchObject({ kind: 'weekly', status: 'ok' });
    expect(m.clonedFrom).toBeUndefined();
    expect(m.components.mail.status).toBe('ok');
    expect(latest()).toBe('weekly/2026-11-03');
  });

  it('re-running a day replaces its snapshot only when the new run succeeds', async () => {
    stores.use('empty');
    const r1 = await f.run(['backup', '--date', '2026-11-04']);
    expect(r1.code, r1.stderr).toBe(0);
    const first = meta('daily/2026-11-04');
    f.shim.setContainer('mailserver-mariadb', 'stopped');
    const r2 = await f.run(['backup', '--date', '2026-11-04']);
    f.shim.setContainer('mailserver-mariadb', 'running');
    expect(r2.code).toBe(2);
    expect(r2.stdout).toMatch(/kept as \.partial/);
    expect(meta('daily/2026-11-04').startedAt).toBe(first.startedAt); // the ok one stayed
    expect(latest()).toBe('daily/2026-11-04');
    const r3 = await f.run(['backup', '--date', '2026-11-04']);
    expect(r3.code, r3.stderr).toBe(0);
    expect(meta('daily/2026-11-04').startedAt).not.toBe(first.startedAt);
    expect(readdirSync(join(f.destRoot, 'daily')).filter((n) => !/^\d{4}-\d{2}-\d{2}$/.test(n))).toEqual([]);
  });

  it('a failed run never becomes latest (invariants 1, 2)', async () => {
    stores.use('daily-2026-11-04');
    f.shim.setContainer('mailserver-mariadb', 'stopped');
    const r = await f.run(['backup', '--date', '2026-11-05']);
    f.shim.setContainer('mailserver-mariadb', 'running');
    expect(r.code).toBe(2);
    expect(meta('daily/2026-11-05').status).toBe('failed');
    expect(latest()).toBe('daily/2026-11-04');
    expect(existsSync(join(f.destRoot, '.latest.tmp'))).toBe(false);
  });

  it('a weekly run waits for a daily run that holds the lock, then clones it (invariant 6)', async () => {
    stores.use('daily-2026-11-04');
    const daily = spawn('sleep', ['60'], { argv0: 'mailbackup' }); // a live process whose command line is a mailbackup run
    const lock = join(f.destRoot, '.lock');
    try {
      writeFileSync(lock, JSON.stringify({ pid: daily.pid, host: hostname(), command: 'backup', startedAt: new Date().toISOString() }));
      const child = f.start(['backup', '--weekly', '--date', '2026-11-04']);
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = new Promise<number | null>((r) => child.on('close', r));
      // wait until it says it waits (a fixed sleep is too short on a loaded machine)
      await waitFor(() => /waiting for the running backup/.test(stderr) || child.exitCode !== null, { what: 'the weekly run to say it waits' });
      if (child.exitCode !== null) throw new Error(`weekly run did not wait: ${stderr}`);
      await pause(500); // not readiness: a window in which a run that ignored the lock would go on
      expect(existsSync(join(f.destRoot, 'weekly/2026-11-04'))).toBe(false); // still waiting
      rmSync(lock); // the daily run finishes
      expect(await code, stderr).toBe(0);
      expect(meta('weekly/2026-11-04')).toMatchObject({ kind: 'weekly', clonedFrom: 'daily/2026-11-04' });
    } finally {
      daily.kill();
    }
  });
});
