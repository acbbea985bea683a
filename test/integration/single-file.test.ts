/**
 * Installation story (issue 7 item 4): dist/mailbackup.mjs copied ALONE onto a machine runs
 * with plain node: no node_modules beside it or above it.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixture, type Fixture } from '../helpers/fixture.js';

const PKG = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
// /tmp has no node_modules above it, so the copy cannot resolve any package from disk
const dir = mkdtempSync(join(tmpdir(), 'mailbackup-single-'));
const cli = join(dir, 'mailbackup.mjs');
copyFileSync(resolve('dist/mailbackup.mjs'), cli);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH!, NODE_PATH: '', ...env } });

describe('the single-file build, copied alone', () => {
  it('prints its version', () => {
    const r = run(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(PKG.version);
  });

  it('prints a man-page-like help with exit status for the program and every command', () => {
    const top = run(['--help']);
    expect(top.status).toBe(0);
    for (const cmd of ['backup', 'rotate', 'verify', 'list', 'status', 'restore', 'drill', 'init', 'schedule']) {
      expect(top.stdout).toContain(cmd);
    }
    for (const cmd of [['backup'], ['drill'], ['init'], ['schedule'], ['restore', 'mail'], ['status']]) {
      const r = run([...cmd, '--help']);
      expect(r.status, `${cmd.join(' ')} --help`).toBe(0);
      expect(r.stdout).toMatch(/Exit status:\n\s+0\s+OK/);
      expect(r.stdout).toMatch(/^Usage: mailbackup /m);
    }
  });

  it('runs a command that loads lazily-imported modules (schedule) from the one file', () => {
    const r = run(['--config', join(dir, 'c.yml'), 'schedule', '--systemd']);
    expect(r.stderr).toMatch(/^$|does not exist yet/);
    expect(r.stdout).toContain(`ExecStart=${realpathSync(process.execPath)} ${realpathSync(cli)} --config ${join(dir, 'c.yml')} backup\n`);
  });

  it('is ASCII only, so node reads it as a one-byte string (scripts/build.mjs)', () => {
    const text = readFileSync(cli, 'utf8');
    expect(text.length).toBeGreaterThan(100_000);
    // eslint-disable-next-line no-control-regex -- any byte outside ASCII, NUL included
    expect(text.match(/[^\x00-\x7f]/g) ?? []).toEqual([]);
  });

  it('refuses a missing config with exit 78 and tells what to do', () => {
    const r = run(['--config', join(dir, 'missing.yml'), 'drill']);
    expect(r.status).toBe(78);
    expect(r.stderr).toMatch(/mailbackup init/);
  });

  it('is what `npm pack` ships, with the mailbackup bin', () => {
    const r = spawnSync('npm', ['pack', '--dry-run', '--json'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const files = (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
    expect(files).toContain('dist/mailbackup.mjs');
    expect(files).toContain('bin/mailbackup');
    expect(statSync('bin/mailbackup').mode & 0o111).not.toBe(0);
  });
});

describe('the single-file build, copied alone, on a mail server', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await createFixture({ tree: { domains: 1, usersPerDomain: 2, messagesPerFolder: 3 } });
  });
  afterAll(async () => {
    await fx?.cleanup();
  });

  it('makes a verified backup (worker threads, dumps, rsync) with no node_modules anywhere', async () => {
    const r = spawnSync(process.execPath, [cli, '--config', fx.configPath, 'backup', '--date', '2026-11-03'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...fx.env, NODE_PATH: '' },
    });
    expect(r.status, r.stderr).toBe(0);
    const meta = JSON.parse(readFileSync(join(fx.destRoot, 'daily', '2026-11-03', 'backup.json'), 'utf8'));
    expect(meta.status).toBe('ok');
    expect(meta.tool.version).toBe(PKG.version);
    expect(Object.keys(meta.databases).sort()).toEqual(['roundcubemail', 'usermgmt']);
    const check = spawnSync('sha256sum', ['--quiet', '-c', 'manifest.sha256'], { cwd: join(fx.destRoot, 'daily', '2026-11-03'), encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
  });
});
