/**
 * Issue 2, faults: real kill -9, a stopped/missing container, a dump killed mid-stream, a full
 * filesystem, a missing marker, a held lock, a bad config, a missing source path.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, renameSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixture, type Fixture } from '../helpers/fixture.js';
import { treeState } from '../helpers/tree-state.js';
import { waitFor } from '../helpers/wait.js';

const meta = (f: Fixture, id: string) => JSON.parse(readFileSync(join(f.destRoot, id, 'backup.json'), 'utf8'));
const latest = (f: Fixture) => (existsSync(join(f.destRoot, 'latest')) ? readlinkSync(join(f.destRoot, 'latest')) : undefined);
/** A program directory put first on PATH: `name` runs `script` (sh), then may exec the real one. */
function wrapper(dir: string, name: string, script: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), `#!/bin/sh\n${script}\n`);
  chmodSync(join(dir, name), 0o755);
  return dir;
}

describe('backup under faults (one mail server, runs on successive dates)', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await createFixture();
    const r = await f.run(['backup', '--date', '2026-11-01']);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(async () => f?.cleanup());

  it('retries a container that is restarting and succeeds (NFR-03)', async () => {
    f.shim.setContainer('mailserver-mariadb', { status: 'flaky', failures: 2 });
    const r = await f.run(['backup', '--date', '2026-11-02']);
    f.shim.setContainer('mailserver-mariadb', 'running');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/transient failure, retrying/);
    expect(latest(f)).toBe('daily/2026-11-02');
  });

  it('a missing container: retried, then failed with exit 2, other components still backed up, latest kept', async () => {
    f.writeConfig({ database: { container: 'mailserver-mariadb-gone' } });
    const before = f.shim.argvLog().length;
    const r = await f.run(['backup', '--date', '2026-11-03']);
    f.writeConfig({ database: { container: 'mailserver-mariadb' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/No such container: mailserver-mariadb-gone/);
    const attempts = f.shim.argvLog().slice(before).filter((a) => a.includes('mailserver-mariadb-gone'));
    expect(attempts.length).toBe(3);
    const m = meta(f, 'daily/2026-11-03');
    expect(m.status).toBe('failed');
    expect(m.components.databases.status).toBe('failed');
    for (const c of ['mail', 'ssl', 'dkim', 'config']) expect(m.components[c].status, c).toBe('ok');
    expect(latest(f)).toBe('daily/2026-11-02');
    const state = JSON.parse(readFileSync(join(f.destRoot, '.state/last-backup.json'), 'utf8'));
    expect(state.exitCode).toBe(2);
  });

  it('a dump killed mid-stream fails the snapshot and leaves no half dump (invariant 8)', async () => {
    const dir = wrapper(join(f.base, 'killdump'), 'mariadb-dump', [
      'case "$1" in --version) exec /usr/bin/mariadb-dump "$@";; esac',
      '/usr/bin/mariadb-dump "$@" | head -c 3000',
      'kill -9 $$',
    ].join('\n'));
    f.shim.setContainer('mailserver-mariadb', { status: 'running', env: { PATH: `${dir}:/usr/sbin:/usr/bin:/sbin:/bin` } });
    const r = await f.run(['backup', '--date', '2026-11-04']);
    f.shim.setContainer('mailserver-mariadb', 'running');
    expect(r.code).toBe(2);
    const m = meta(f, 'daily/2026-11-04');
    expect(m.status).toBe('failed');
    expect(m.databases.usermgmt.status).toBe('failed');
    expect(m.databases.usermgmt.error).toMatch(/killed|exited/);
    expect(existsSync(join(f.destRoot, 'daily/2026-11-04/mysql/usermgmt.sql.gz'))).toBe(false);
    expect(latest(f)).toBe('daily/2026-11-02');
  });

  it('kill -9 in the middle of the mail step: latest never moves to it, the rerun reuses the .partial and succeeds', async () => {
    const mark = join(f.base, 'paused');
    const dir = wrapper(join(f.base, 'slowrsync'), 'rsync', [
      `case "$*" in *"/data/mail/"*) if [ ! -e "${mark}" ]; then echo $$ > "${mark}"; sleep 120; fi;; esac`,
      'exec /usr/bin/rsync "$@"',
    ].join('\n'));
    const child = f.start(['backup', '--date', '2026-11-05'], { PATH: `${dir}:${f.env.PATH}` });
    const exited = new Promise((r) => child.on('exit', r));
    await waitFor(() => existsSync(mark) && readFileSync(mark, 'utf8').trim() !== '');
    expect(existsSync(join(f.destRoot, 'daily/2026-11-05.partial'))).toBe(true);
    expect(latest(f)).toBe('daily/2026-11-02');
    child.kill('SIGKILL');
    await exited;
    const wrapperPid = Number(readFileSync(mark, 'utf8'));
    try {
      execFileSync('pkill', ['-9', '-P', String(wrapperPid)]);
      process.kill(wrapperPid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    expect(latest(f)).toBe('daily/2026-11-02');
    expect(existsSync(join(f.destRoot, 'daily/2026-11-05'))).toBe(false);
    const lock = JSON.parse(readFileSync(join(f.destRoot, '.lock'), 'utf8'));
    expect(lock.pid).toBe(child.pid);

    const r = await f.run(['backup', '--date', '2026-11-05']);
    expect(r.code, r.stderr).toBe(1); // ok, with the stale-lock warning
    expect(r.stderr).toMatch(/stale lock/);
    expect(r.stderr).toMatch(/reusing the .partial/);
    expect(latest(f)).toBe('daily/2026-11-05');
    expect(meta(f, 'daily/2026-11-05').status).toBe('ok');
    expect(readdirSync(join(f.destRoot, 'daily')).filter((n) => n.includes('.partial'))).toEqual([]);
    execFileSync('sha256sum', ['-c', '--quiet', 'manifest.sha256'], { cwd: join(f.destRoot, 'daily/2026-11-05') });
  });

  it('SIGTERM mid-run: exit 130, lock released, latest unchanged, the .partial kept for the next run', async () => {
    const mark = join(f.base, 'paused-term');
    const dir = wrapper(join(f.base, 'slowrsync2'), 'rsync', [
      `case "$*" in *"/data/mail/"*) if [ ! -e "${mark}" ]; then echo $$ > "${mark}"; exec sleep 120; fi;; esac`,
      'exec /usr/bin/rsync "$@"',
    ].join('\n'));
    const before = latest(f);
    const child = f.start(['backup', '--date', '2026-11-06'], { PATH: `${dir}:${f.env.PATH}` });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    await waitFor(() => existsSync(mark) && readFileSync(mark, 'utf8').trim() !== '');
    child.kill('SIGTERM');
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/interrupted/);
    expect(existsSync(join(f.destRoot, '.lock'))).toBe(false);
    expect(latest(f)).toBe(before);
    expect(existsSync(join(f.destRoot, 'daily/2026-11-06.partial'))).toBe(true);
    expect(existsSync(join(f.destRoot, 'daily/2026-11-06'))).toBe(false);
  });

  it('a lock held by a live process gives exit 75 and writes nothing', async () => {
    const holder = spawn('sleep', ['60'], { argv0: 'mailbackup' }); // a live process whose command line is a mailbackup run
    try {
      writeFileSync(join(f.destRoot, '.lock'), JSON.stringify({ pid: holder.pid, host: hostname(), command: 'backup', startedAt: new Date().toISOString() }));
      const before = treeState(f.destRoot);
      const r = await f.run(['backup', '--date', '2026-11-06']);
      expect(r.code).toBe(75);
      expect(r.stderr).toMatch(new RegExp(`pid ${holder.pid}`));
      expect([...treeState(f.destRoot).keys()]).toEqual([...before.keys()]);
    } finally {
      holder.kill();
    }
  });

  it('a missing source path fails its component with a message naming it', async () => {
    const certbot = join(f.sourceRoot, 'data/certbot');
    renameSync(certbot, `${certbot}.away`);
    try {
      const r = await f.run(['backup', '--date', '2026-11-07']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(certbot);
      const m = meta(f, 'daily/2026-11-07');
      expect(m.components.ssl).toMatchObject({ status: 'failed' });
      expect(m.components.ssl.error).toMatch(/does not exist/);
      expect(m.components.mail.status).toBe('ok');
    } finally {
      renameSync(`${certbot}.away`, certbot);
    }
  });

  it('a failing last rsync of a component (directories and symlinks, run beside the manifest) fails that component and the run', async () => {
    const dir = wrapper(join(f.base, 'failattrs'), 'rsync', [
      'case "$*" in *dkim.attributes*) echo "rsync: simulated I/O error" >&2; exit 11;; esac',
      'exec /usr/bin/rsync "$@"',
    ].join('\n'));
    const r = await f.run(['backup', '--date', '2026-11-08'], { PATH: `${dir}:${f.env.PATH}` });
    expect(r.code, r.stderr).toBe(2);
    const m = meta(f, 'daily/2026-11-08');
    expect(m.status).toBe('failed');
    expect(m.components.dkim).toMatchObject({ status: 'failed' });
    expect(m.components.dkim.error).toMatch(/directory attributes and symlinks/);
    expect(m.components.mail.status).toBe('ok');
    expect(latest(f)).not.toBe('daily/2026-11-08');
  });
});

describe('backup refuses before writing anything', () => {
  it('without the marker (disk not mounted): exit 2, nothing written (invariant 4)', async () => {
    const f = await createFixture({ mariadb: false, marker: false, config: { database: { databases: [] } } });
    try {
      const before = treeState(f.mountDir);
      const r = await f.run(['backup']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/no \.mailbackup marker: is the disk mounted\? run `mailbackup init`/);
      expect(treeState(f.mountDir)).toEqual(before);
    } finally {
      await f.cleanup();
    }
  });

  it('when destination.requireMountpoint is not a mount point: exit 2, nothing written', async () => {
    const f = await createFixture({ mariadb: false, destination: 'dir', config: { database: { databases: [] } } });
    try {
      f.writeConfig({ destination: { requireMountpoint: f.mountDir } });
      const before = treeState(f.mountDir);
      const r = await f.run(['backup']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/is not a mount point/);
      expect(treeState(f.mountDir)).toEqual(before);
    } finally {
      await f.cleanup();
    }
  });

  it('with a bad config: exit 78 naming the key', async () => {
    const f = await createFixture({ mariadb: false, config: { database: { databases: [] } } });
    try {
      writeFileSync(f.configPath, readFileSync(f.configPath, 'utf8').replace('retention:', 'retension:'));
      const r = await f.run(['backup']);
      expect(r.code).toBe(78);
      expect(r.stderr).toMatch(/unknown key retension/);
      expect(existsSync(join(f.destRoot, 'daily'))).toBe(false);
    } finally {
      await f.cleanup();
    }
  });
});

describe('backup on a full disk', () => {
  it('fails cleanly with exit 2; earlier snapshots stay intact and latest stays', async () => {
    const f = await createFixture({ destSizeMiB: 24, tree: { domains: 1, usersPerDomain: 2, messagesPerFolder: 4 } });
    try {
      const r1 = await f.run(['backup', '--date', '2026-11-01']);
      expect(r1.code, r1.stderr).toBe(0);
      const snap1 = join(f.destRoot, 'daily/2026-11-01');
      const before = treeState(snap1);
      // incompressible new mail bigger than what is left on the 24 MiB filesystem
      writeFileSync(join(f.tree.users[0].mailbox, 'cur', `1764300000.M1P1.mail,S=30000000:2,S`), randomBytes(30 * 1024 * 1024));
      const r2 = await f.run(['backup', '--date', '2026-11-02']);
      expect(r2.code).toBe(2);
      expect(r2.stderr).toMatch(/No space left on device|ENOSPC/);
      expect(latest(f)).toBe('daily/2026-11-01');
      expect(treeState(snap1)).toEqual(before);
      execFileSync('sha256sum', ['-c', '--quiet', 'manifest.sha256'], { cwd: snap1 });
      // the failed run is on record as failed (when the disk had room for its backup.json), never as ok
      const failed = join(f.destRoot, 'daily/2026-11-02');
      if (existsSync(failed)) expect(meta(f, 'daily/2026-11-02').status).toBe('failed');
      expect(JSON.parse(readFileSync(join(f.destRoot, '.state/last-backup.json'), 'utf8')).exitCode).toBe(2);
    } finally {
      await f.cleanup();
    }
  });
});
