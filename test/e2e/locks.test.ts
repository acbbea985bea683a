/**
 * Issue 16: a lock left by a crash or a power cut must not stop every later run, and a lock
 * from another machine is never taken over silently. Real processes hold the recorded pids:
 * pid 1, a zombie left by a python3 parent that never waits, a process with another start time,
 * a real `mailbackup backup` paused inside rsync.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixture, type Fixture } from '../helpers/fixture.js';
import { cliPath } from '../helpers/paths.js';
import { treeState } from '../helpers/tree-state.js';
import { waitFor } from '../helpers/wait.js';

const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
/** field 22 of /proc/PID/stat, read here independently of src/ */
const startTicks = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[19];
const state = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[0];

describe('the destination lock after crashes, reboots and disk moves', () => {
  let f: Fixture;
  const children: ChildProcess[] = [];
  const lockPath = () => join(f.destRoot, '.lock');
  const writeLock = (rec: Record<string, unknown>) =>
    writeFileSync(lockPath(), JSON.stringify({ host: hostname(), command: 'backup', startedAt: new Date().toISOString(), ...rec }));
  /** a live process whose command line is a mailbackup run (argv[0] "mailbackup") */
  const mailbackupLike = () => {
    const c = spawn('sleep', ['600'], { argv0: 'mailbackup', stdio: 'ignore' });
    children.push(c);
    return c.pid!;
  };

  beforeAll(async () => {
    f = await createFixture();
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await f?.cleanup();
  });

  it('pid 1 (alive) in a lock written before this boot: backup takes it over with a warning naming it', async () => {
    writeLock({ pid: 1, startedAt: '2026-01-01T00:00:00.000Z' });
    const r = await f.run(['backup', '--date', '2026-11-01']);
    expect(r.code, r.stderr).toBe(1); // ok, with the takeover warning
    expect(r.stderr).toMatch(/took over a stale lock of pid 1 on .*since 2026-01-01T00:00:00.000Z: it was written at .* before this boot/);
    expect(JSON.parse(readFileSync(join(f.destRoot, 'daily/2026-11-01/backup.json'), 'utf8')).status).toBe('ok');
    expect(existsSync(lockPath())).toBe(false);
  });

  it('a live pid recorded with another boot id is stale', async () => {
    const pid = mailbackupLike();
    writeLock({ pid, bootId: '00000000-0000-0000-0000-000000000000', procStart: startTicks(pid) });
    const r = await f.run(['rotate']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`took over a stale lock of pid ${pid} .*before this boot \\(another boot id\\)`));
  });

  it('a zombie holder (exited, never reaped by its python3 parent) is stale', async () => {
    const parent = spawn('python3', ['-c', 'import os,sys,time\npid=os.fork()\nif pid==0: os._exit(0)\nprint(pid,flush=True)\ntime.sleep(600)'], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(parent);
    const zombie = await new Promise<number>((r) => parent.stdout.once('data', (d: Buffer) => r(Number(d.toString().trim()))));
    await waitFor(() => state(zombie) === 'Z');
    writeLock({ pid: zombie, bootId, procStart: startTicks(zombie) });
    const r = await f.run(['rotate']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`took over a stale lock of pid ${zombie} .*zombie`));
    expect(state(zombie)).toBe('Z'); // still there: only the lock was judged
  });

  it('a reused pid (the recorded start time differs) is stale', async () => {
    const pid = mailbackupLike();
    writeLock({ pid, bootId, procStart: String(Number(startTicks(pid)) - 1) });
    const r = await f.run(['rotate']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`took over a stale lock of pid ${pid} .*another process \\(its start time differs\\)`));
  });

  it('a live pid that is not a mailbackup run is stale', async () => {
    const other = spawn('sleep', ['600'], { stdio: 'ignore' });
    children.push(other);
    writeLock({ pid: other.pid });
    const r = await f.run(['rotate']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`took over a stale lock of pid ${other.pid} .*sleep 600.*not a mailbackup run`));
  });

  it('a live mailbackup holder still wins: exit 75, nothing written, and unlock refuses', async () => {
    const dir = join(f.base, 'slowrsync');
    const mark = join(f.base, 'paused');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'rsync'), `#!/bin/sh\ncase "$*" in *"/data/mail/"*) if [ ! -e "${mark}" ]; then echo $$ > "${mark}"; exec sleep 600; fi;; esac\nexec /usr/bin/rsync "$@"\n`);
    chmodSync(join(dir, 'rsync'), 0o755);
    const holder = f.start(['backup', '--date', '2026-11-02'], { PATH: `${dir}:${f.env.PATH}` });
    children.push(holder);
    const exited = new Promise((r) => holder.on('exit', r));
    try {
      await waitFor(() => existsSync(mark) && readFileSync(mark, 'utf8').trim() !== '');
      expect(JSON.parse(readFileSync(lockPath(), 'utf8')).pid).toBe(holder.pid);
      // The paused rsync may be one that runs beside further writes of the holder (the mail
      // directories' attributes are set while the manifest is written): stop the holder itself,
      // so that whatever changes from here on was written by the refused runs. A stopped process
      // is still a live holder.
      holder.kill('SIGSTOP');
      const before = treeState(f.destRoot);
      const r = await f.run(['backup', '--date', '2026-11-03']);
      expect(r.code).toBe(75);
      expect(r.stderr).toMatch(new RegExp(`another mailbackup run holds .*pid ${holder.pid} on ${hostname()}`));
      const u = await f.run(['unlock', '--yes']);
      expect(u.code).toBe(75);
      expect(u.stderr).toMatch(new RegExp(`pid ${holder.pid} .*alive on this machine`));
      expect([...treeState(f.destRoot).keys()]).toEqual([...before.keys()]);
    } finally {
      holder.kill('SIGTERM');
      holder.kill('SIGCONT'); // the SIGTERM is delivered once it runs again
      await exited;
    }
    expect(existsSync(lockPath())).toBe(false);
  });

  it('a lock from another host is refused until unlocked (unlock shows it and asks) or --force-unlock', async () => {
    const foreign = { pid: 4242, host: 'mail-old.example', command: 'backup', startedAt: '2026-11-01T03:00:00.000Z' };
    writeLock(foreign);
    const r = await f.run(['backup', '--date', '2026-11-04']);
    expect(r.code).toBe(75);
    expect(r.stderr).toMatch(/held by pid 4242 on mail-old\.example.*never taken over silently.*mailbackup unlock.*--force-unlock/);
    expect(existsSync(join(f.destRoot, 'daily/2026-11-04'))).toBe(false);

    const asked = await f.run(['unlock']); // no terminal here, no --yes: refuses, after showing the holder
    expect(asked.code).toBe(64);
    expect(asked.stderr).toMatch(/lock: pid 4242 on mail-old\.example, `backup` since 2026-11-01T03:00:00.000Z: it was written on mail-old\.example/);
    expect(asked.stderr).toMatch(/pass --yes/);
    expect(existsSync(lockPath())).toBe(true);

    const yes = await f.run(['unlock', '--yes']);
    expect(yes.code, yes.stderr).toBe(0);
    expect(yes.stdout).toMatch(/removed the lock of pid 4242 on mail-old\.example/);
    expect(existsSync(lockPath())).toBe(false);
    const after = await f.run(['rotate']);
    expect(after.code, after.stderr).toBe(0);

    writeLock(foreign);
    const forced = await f.run(['rotate', '--force-unlock']);
    expect(forced.code, forced.stderr).toBe(1);
    expect(forced.stderr).toMatch(/took over a stale lock of pid 4242 on mail-old\.example/);
    expect(existsSync(lockPath())).toBe(false);
  });

  it('on a terminal, unlock shows the holder and asks: "no" keeps the lock, "yes" removes it', async () => {
    writeLock({ pid: 4242, host: 'mail-old.example', command: 'backup', startedAt: '2026-11-01T03:00:00.000Z' });
    /** unlock on a pseudo-terminal (script -qfec), answering once the prompt is on screen */
    const answer = (reply: string) =>
      new Promise<{ code: number | null; screen: string }>((resolve) => {
        const cmd = `${process.execPath} ${cliPath()} --config ${f.configPath} unlock`;
        const c = spawn('script', ['-qfec', cmd, '/dev/null'], { env: f.env, stdio: ['pipe', 'pipe', 'pipe'] });
        children.push(c);
        let screen = '';
        let answered = false;
        c.stdout.on('data', (d: Buffer) => {
          screen += d.toString();
          if (!answered && screen.includes('Type "yes" to go on')) {
            answered = true;
            c.stdin.write(`${reply}\r`);
          }
        });
        c.on('close', (code) => resolve({ code, screen }));
      });
    const no = await answer('no');
    expect(no.screen).toMatch(/lock: pid 4242 on mail-old\.example.*written on mail-old\.example/);
    expect(no.code).toBe(64);
    expect(existsSync(lockPath())).toBe(true);
    const yes = await answer('yes');
    expect(yes.code, yes.screen).toBe(0);
    expect(yes.screen).toMatch(/removed the lock of pid 4242 on mail-old\.example/);
    expect(existsSync(lockPath())).toBe(false);
  });

  it('--help documents the locking of each command', async () => {
    const help = async (...cmd: string[]) => (await f.run([...cmd, '--help'])).stdout.replace(/\s+/g, ' ');
    for (const c of [['backup'], ['rotate']]) expect(await help(...c)).toMatch(/Locking: takes the destination lock .*another machine needs --force-unlock or `mailbackup unlock`/);
    for (const c of [['verify'], ['drill'], ['restore', 'mail'], ['restore', 'db'], ['restore', 'files'], ['restore', 'all']]) {
      expect(await help(...c), c.join(' ')).toMatch(/Locking: holds the snapshot\(s\) it reads with a reader lock under \.readers\//);
    }
    expect(await help('unlock')).toMatch(/shows the holder .* asks/);
    expect(await help('backup')).toMatch(/70 internal error/);
  });
});

