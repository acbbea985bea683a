/**
 * Issue 15 item 1: readers hold the snapshot they read. A drill and a `restore mail --to` read
 * the oldest snapshot while a backup's rotation wants to delete it: the deletion is deferred,
 * both finish on intact data, and the next rotation deletes it. The readers are held mid-read
 * by a real frozen filesystem (fsfreeze) under their scratch and target directories.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixture, type Fixture } from '../helpers/fixture.js';
import { mountLoopExt4, type Mounted } from '../helpers/mount.js';
import { waitFor } from '../helpers/wait.js';

function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

interface Running {
  child: ChildProcess;
  done: Promise<{ code: number | null; out: string }>;
}

function watch(child: ChildProcess): Running {
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { child, done: new Promise((r) => child.on('close', (code) => r({ code, out }))) };
}

describe('rotation and readers', () => {
  let f: Fixture;
  let scratch: Mounted;
  let frozen = false;
  const readersDir = () => join(f.destRoot, '.readers');
  const readerFiles = () => (existsSync(readersDir()) ? readdirSync(readersDir()).filter((n) => n.endsWith('.json')) : []);
  const thaw = () => {
    if (frozen) execFileSync('fsfreeze', ['--unfreeze', scratch.dir]);
    frozen = false;
  };

  beforeAll(async () => {
    f = await createFixture({ tree: { domains: 1, usersPerDomain: 2, messagesPerFolder: 4 }, config: { retention: { daily: 2, weekly: 0 } } });
    scratch = await mountLoopExt4(128);
    chmodSync(dirname(scratch.dir), 0o711); // the drill's doveadm runs as the mail uid and must reach its scratch copy
    for (const date of ['2026-11-01', '2026-11-02']) {
      const r = await f.run(['backup', '--date', date]);
      expect(r.code, r.stderr).toBe(0);
    }
  });
  afterAll(async () => {
    thaw();
    await scratch?.cleanup();
    await f?.cleanup();
  });

  it('a drill and a restore mail --to keep their snapshot through a rotation; the next rotation deletes it', async () => {
    const oldest = join(f.destRoot, 'daily/2026-11-01');
    const user = f.tree.users[0];
    const work = join(scratch.dir, 'work');
    const out = join(scratch.dir, 'restored');
    mkdirSync(work, { mode: 0o711 });
    let drill: Running | undefined;
    let restore: Running | undefined;
    try {
      execFileSync('fsfreeze', ['--freeze', scratch.dir]);
      frozen = true;
      drill = watch(f.start(['drill', '--snapshot', '2026-11-01', '--workdir', work]));
      restore = watch(f.start(['restore', 'mail', '--user', user.address, '--snapshot', '2026-11-01', '--to', out]));
      await waitFor(() => readerFiles().length === 2);
      for (const n of readerFiles()) {
        const rec = JSON.parse(readFileSync(join(readersDir(), n), 'utf8'));
        expect(rec).toMatchObject({ host: hostname(), snapshots: ['daily/2026-11-01'] });
      }
      expect(drill.child.exitCode).toBeNull(); // both are mid-read: their first write waits on the frozen disk
      expect(restore.child.exitCode).toBeNull();

      const b = await f.run(['backup', '--date', '2026-11-03']);
      expect(b.code, b.stderr).toBe(0);
      expect(b.stdout + b.stderr).toMatch(/deferred daily\/2026-11-01: in use by pid \d+ .*`drill`.*; pid \d+ .*`restore mail`.*the next rotation deletes it/);
      expect(existsSync(oldest)).toBe(true);
      expect(readdirSync(join(f.destRoot, 'daily')).sort()).toEqual(['2026-11-01', '2026-11-02', '2026-11-03']);
    } finally {
      thaw();
    }
    const d = await drill.done;
    const r = await restore.done;
    expect(d.code, d.out).toBe(0);
    expect(d.out).toMatch(/drill of daily\/2026-11-01: PASSED/);
    expect(r.code, r.out).toBe(0);
    const snapMailbox = join(oldest, 'mail', user.mailboxRel);
    const restored = files(out);
    expect(restored.filter((p) => /(^|\/)(cur|new)\//.test(p)).length).toBe(user.messages);
    for (const p of restored) expect(readFileSync(join(out, p)).equals(readFileSync(join(snapMailbox, p))), p).toBe(true);
    expect(readerFiles()).toEqual([]);

    const next = await f.run(['rotate']);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stdout).toMatch(/delete {2}daily\/2026-11-01/);
    expect(existsSync(oldest)).toBe(false);
  });

  it('a reader that is gone (dead pid) does not block the rotation', async () => {
    const dead = spawn('true');
    await new Promise((r) => dead.on('exit', r));
    mkdirSync(readersDir(), { recursive: true });
    const stale = join(readersDir(), 'stale.json');
    writeFileSync(stale, JSON.stringify({ pid: dead.pid, host: hostname(), command: 'verify', startedAt: new Date().toISOString(), snapshots: ['daily/2026-11-02'] }));
    const b = await f.run(['backup', '--date', '2026-11-04']);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toMatch(new RegExp(`removed the reader lock of a reader that is gone.*pid ${dead.pid} is gone`));
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(join(f.destRoot, 'daily/2026-11-02'))).toBe(false);
    expect(statSync(join(f.destRoot, 'daily/2026-11-04')).isDirectory()).toBe(true);
  });

  it('a destination mounted read-only (recovery on a new machine) is read without a reader file', async () => {
    const to = join(f.base, 'restored-config');
    execFileSync('mount', ['-o', 'remount,ro', f.mountDir]);
    try {
      const r = await f.run(['restore', 'files', '--component', 'config', '--to', to]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/copied \d+ entries/);
    } finally {
      execFileSync('mount', ['-o', 'remount,rw', f.mountDir]);
    }
    expect(readFileSync(join(to, 'docker-compose.yml'))).toEqual(readFileSync(join(f.destRoot, 'latest/config/docker-compose.yml')));
  });
});

