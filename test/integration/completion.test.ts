import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = resolve('dist/mailbackup.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'mailbackup-complete-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function complete(words: string[], env: Record<string, string> = {}) {
  const r = spawnSync('node', [CLI, '__complete', '--', ...words], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function config(dest: string, logDir: string): string {
  const file = join(tmp, `config-${readdirSync(tmp).length}.yml`);
  writeFileSync(file, `source: { root: ${tmp} }\ndestination: { root: ${dest} }\ndatabase: {}\nlog: { dir: ${logDir} }\n`);
  return file;
}

describe('mailbackup __complete (what the bash and zsh scripts call on Tab)', () => {
  it('names the snapshots on the backup disk, by id and by date, for the prefix typed', () => {
    const dest = join(tmp, 'disk');
    for (const d of ['daily/2025-06-01', 'daily/2025-06-02', 'weekly/2025-06-01', 'daily/2025-06-03.partial']) mkdirSync(join(dest, d), { recursive: true });
    const logs = join(tmp, 'logs');
    const file = config(dest, logs);
    expect(complete(['--config', file, 'verify', ''])).toEqual({
      status: 0,
      stdout: 'latest\ndaily/2025-06-01\nweekly/2025-06-01\ndaily/2025-06-02\n2025-06-01\n2025-06-02\n',
      stderr: '',
    });
    expect(complete(['restore', 'mail', '--snapshot', 'w'], { MAILBACKUP_CONFIG: file }).stdout).toBe('weekly/2025-06-01\n');
    expect(() => readdirSync(logs)).toThrow(/ENOENT/); // no run log for a Tab
  });

  it('is quiet and exits 0 when the disk is not mounted or there is no config', () => {
    const absent = config(join(tmp, 'not-mounted/mailserver'), join(tmp, 'logs2'));
    expect(complete(['--config', absent, 'drill', '--snapshot', ''])).toEqual({ status: 0, stdout: 'latest\n', stderr: '' });
    expect(complete(['verify', ''], { MAILBACKUP_CONFIG: join(tmp, 'nope.yml') })).toEqual({ status: 0, stdout: 'latest\n', stderr: '' });
    expect(complete(['restore', 'x'], { MAILBACKUP_CONFIG: join(tmp, 'nope.yml') })).toEqual({ status: 0, stdout: '', stderr: '' });
  });

  it('hands file and directory values to the shell', () => {
    expect(complete(['--config', '']).stdout).toBe(':files\n');
    expect(complete(['init', '--source-root', '/o']).stdout).toBe(':dirs\n');
  });
});
