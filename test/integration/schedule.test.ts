import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = resolve('dist/mailbackup.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'mailbackup-schedule-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[]) {
  return spawnSync('node', [CLI, ...args], { encoding: 'utf8', env: { ...process.env, MAILBACKUP_INSTALL_ROOT: '' } });
}

describe('schedule --install (under a scratch root)', () => {
  const config = join(tmp, 'config.yml');
  writeFileSync(config, 'source: { root: /srv }\n');

  it('writes systemd units that pass systemd-analyze verify', () => {
    const root = join(tmp, 'systemd-root');
    const r = cli(['--config', config, 'schedule', '--systemd', '--install', '--root', root]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/systemctl daemon-reload && systemctl enable --now mailbackup-backup\.timer/);
    const dir = join(root, 'etc/systemd/system');
    const files = readdirSync(dir).sort();
    expect(files).toContain('mailbackup-backup.service');
    expect(files).toContain('mailbackup-drill.timer');
    const v = spawnSync('systemd-analyze', ['verify', ...files.map((f) => join(dir, f))], { encoding: 'utf8' });
    expect(v.stderr).toBe('');
    expect(v.status).toBe(0);
  });

  it('systemd-analyze verify does notice a broken unit (the check above can fail)', () => {
    const dir = join(tmp, 'systemd-root/etc/systemd/system');
    const broken = join(tmp, 'broken.service');
    writeFileSync(broken, readFileSync(join(dir, 'mailbackup-backup.service'), 'utf8').replace('Nice=19', 'Nice=lots'));
    const v = spawnSync('systemd-analyze', ['verify', broken], { encoding: 'utf8' });
    expect(v.stderr).toMatch(/nice/i);
  });

  it('writes /etc/cron.d/mailbackup, mode 0644, whose commands run this build', () => {
    const root = join(tmp, 'cron-root');
    const r = cli(['--config', config, 'schedule', '--cron', '--install', '--root', root]);
    expect(r.status).toBe(0);
    const file = join(root, 'etc/cron.d/mailbackup');
    expect(statSync(file).mode & 0o777).toBe(0o644);
    const jobs = readFileSync(file, 'utf8').split('\n').filter((l) => /^[0-9*]/.test(l));
    expect(jobs).toHaveLength(7);
    const cmd = jobs[0].split(/\s+/).slice(6);
    expect(cmd.slice(0, 4)).toEqual([process.execPath.startsWith('/') ? expect.stringMatching(/node/) : 'node', CLI, '--config', config]);
    // the program part of the line really is this mailbackup
    expect(execFileSync(cmd[0], [cmd[1], '--version'], { encoding: 'utf8' }).trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('without --install prints the schedule and writes nothing', () => {
    const r = cli(['--config', config, 'schedule']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^0 3 \* \* \* root .* backup$/m);
    expect(r.stdout).toMatch(/^0 4 \* \* 0 root .* backup --weekly$/m);
    expect(r.stdout).toMatch(/^30 5 \* \* \* root .* --quiet verify --rolling$/m);
  });
});
