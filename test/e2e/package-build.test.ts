/**
 * `npm run package` for real: the .deb is installed on this machine with apt-get (and removed
 * again in `finally`, so the other tests keep running dist/mailbackup.mjs only), the .rpm is
 * checked with `rpm -qp` against the .deb and installed into a scratch root.
 */
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aptGet, buildPackages, installedVersion, packageState, run, scratchRoot, shellInTerminal } from '../helpers/packages.js';

const V = JSON.parse(readFileSync('package.json', 'utf8')).version as string;
const out = mkdtempSync(join(tmpdir(), 'mailbackup-packages-'));
const deb = join(out, `mailbackup_${V}_all.deb`);
const UNITS = '/usr/lib/systemd/system';
const transcript: string[] = [];
const apt = (...args: string[]) => {
  const r = aptGet(...args);
  transcript.push(`# apt-get ${args.join(' ')}  (exit ${r.status})`, r.stdout.trimEnd(), r.stderr.trimEnd());
  return r;
};

beforeAll(() => {
  chmodSync(out, 0o755); // apt's _apt user reads the .deb from here
  buildPackages(out);
});
afterAll(() => {
  if (process.env.PACKAGE_TRANSCRIPT) writeFileSync(process.env.PACKAGE_TRANSCRIPT, transcript.join('\n') + '\n');
  rmSync(out, { recursive: true, force: true });
});

/** What the installed program, its man page and its units show. */
function checkInstalled() {
  expect(run('mailbackup', ['--version']).stdout.trim()).toBe(V);
  const man = run('man', ['mailbackup-backup'], { MANPAGER: 'cat', PAGER: 'cat', MANWIDTH: '200', LANG: 'C.UTF-8' });
  // eslint-disable-next-line no-control-regex -- man's overstrike (char, backspace) is what is removed
  const text = man.stdout.replace(/.\x08/g, '');
  expect(man.status).toBe(0);
  expect(text).toMatch(/mailbackup-backup - make one verified snapshot, then rotate/);
  expect(text).toMatch(/--force-unlock\s+take over a lock written on another machine/);
  expect(text).toMatch(/EXIT STATUS[\s\S]*75\s+another run holds the lock/);

  const units = readdirSync(UNITS).filter((f) => f.startsWith('mailbackup-')).sort();
  expect(units).toContain('mailbackup-drill.timer');
  const verify = run('systemd-analyze', ['verify', ...units.map((u) => join(UNITS, u))]);
  expect(verify.stderr).toBe('');
  expect(verify.status).toBe(0);
  // one source: the installed program's `schedule --systemd` prints exactly the packaged units
  const printed = JSON.parse(run('mailbackup', ['--json', 'schedule', '--systemd']).stdout) as { files: { path: string; text: string }[] };
  expect(printed.files.map((f) => f.path.split('/').pop()).sort()).toEqual(units);
  for (const f of printed.files) expect(readFileSync(join(UNITS, f.path.split('/').pop()!), 'utf8')).toBe(f.text);
}

/** Tab in a real bash and zsh: a subcommand, then snapshot names read from the backup disk. */
async function checkCompletion(scratch: string) {
  const dest = join(scratch, 'dest');
  for (const d of ['daily/2025-06-01', 'weekly/2025-06-08']) mkdirSync(join(dest, d), { recursive: true });
  const config = join(scratch, 'config.yml');
  writeFileSync(config, `source: { root: ${scratch} }\ndestination: { root: ${dest} }\ndatabase: {}\n`);
  const env = { PATH: '/usr/bin:/bin', HOME: scratch, TERM: 'xterm', PS1: '$ ', MAILBACKUP_CONFIG: config };
  const shells = [
    ['bash --norc --noprofile -i', 'source /usr/share/bash-completion/bash_completion'],
    ['zsh -f -i', "autoload -U compinit && compinit -u && PS1='$ '"], // the package's file is in zsh's default fpath
  ] as const;
  for (const [shell, setup] of shells) {
    const term = shellInTerminal(shell, env);
    try {
      term.type(`${setup}; echo READY`, 'Enter');
      expect(await term.waitFor(/^READY/m)).toMatch(/^READY/m);
      term.type('mailbackup restore m', 'Tab');
      expect(await term.waitFor(/\$ mailbackup restore mail/)).toMatch(/^\$ mailbackup restore mail\s*$/m);
      term.type('C-u', 'mailbackup verify we', 'Tab');
      expect(await term.waitFor(/\$ mailbackup verify weekly/)).toMatch(/^\$ mailbackup verify weekly\/2025-06-08\s*$/m);
    } finally {
      term.close();
    }
  }
}

/** An upgrade keeps the admin's config and an edited conffile; removal keeps both. */
function checkUpgradeAndRemove() {
  const example = '/etc/mailbackup/config.example.yml';
  appendFileSync(example, '# edited by the admin\n');
  const edited = readFileSync(example, 'utf8');
  const admin = readFileSync('/etc/mailbackup/config.yml', 'utf8');
  buildPackages(out, ['--only', 'deb', '--version', `${V}+upgrade1`]);
  expect(apt('install', join(out, `mailbackup_${V}+upgrade1_all.deb`)).status).toBe(0);
  expect(installedVersion()).toBe(`install ok installed ${V}+upgrade1`);
  expect(readFileSync(example, 'utf8')).toBe(edited);
  expect(readFileSync('/etc/mailbackup/config.yml', 'utf8')).toBe(admin);
  expect(readdirSync('/etc/mailbackup').sort()).toEqual(['config.example.yml', 'config.yml']);

  expect(apt('remove', 'mailbackup').status).toBe(0);
  expect(existsSync('/usr/bin/mailbackup')).toBe(false);
  expect(existsSync(join(UNITS, 'mailbackup-backup.service'))).toBe(false);
  expect(readFileSync('/etc/mailbackup/config.yml', 'utf8')).toBe(admin);
  expect(readFileSync(example, 'utf8')).toBe(edited);
}

describe('the .deb on this machine', () => {
  it('installs with apt-get: version, man page, Tab completion in bash and zsh, units; upgrades and removes keeping the config', async () => {
    const hadDir = existsSync('/etc/mailbackup');
    const hadConfig = existsSync('/etc/mailbackup/config.yml');
    const scratch = mkdtempSync(join(tmpdir(), 'mailbackup-deb-'));
    const present = () => !['', 'not-installed'].includes(packageState());
    if (present()) apt('purge', 'mailbackup'); // left by a killed run
    try {
      expect(existsSync('/usr/bin/mailbackup')).toBe(false);
      expect(apt('install', deb).status).toBe(0);
      expect(installedVersion()).toBe(`install ok installed ${V}`);
      checkInstalled();
      await checkCompletion(scratch);
      if (!hadConfig) writeFileSync('/etc/mailbackup/config.yml', '# the admin\'s config, as `mailbackup init` writes it\n', { mode: 0o600 });
      checkUpgradeAndRemove();
    } finally {
      if (present()) apt('purge', 'mailbackup');
      if (!hadConfig) rmSync('/etc/mailbackup/config.yml', { force: true });
      if (!hadDir && existsSync('/etc/mailbackup') && readdirSync('/etc/mailbackup').length === 0) rmdirSync('/etc/mailbackup');
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

describe('the .rpm', () => {
  const rpm = join(out, `mailbackup-${V}-1.noarch.rpm`);
  const qp = (...args: string[]) => run('rpm', ['-qp', ...args, rpm]).stdout.trim().split('\n').filter(Boolean);
  const debField = (name: string) => run('dpkg-deb', ['-f', deb, name]).stdout.trim();
  const debControl = (name: string) => run('dpkg-deb', ['-I', deb, name]).stdout;

  it('holds the files of the .deb with the same modes, declares the same dependencies and config files', () => {
    // "-rw-r--r-- root/root 494 2026-… ./etc/logrotate.d/mailbackup" → "-rw-r--r-- /etc/logrotate.d/mailbackup"
    const debFiles = run('dpkg-deb', ['-c', deb]).stdout.trim().split('\n')
      .map((l) => l.split(/\s+/))
      .filter((f) => !f[0].startsWith('d'))
      .map((f) => `${f[0]} ${f[5].slice(1).replace('/usr/share/zsh/vendor-completions/', '/usr/share/zsh/site-functions/')}`);
    const rpmFiles = qp('--qf', '[%{FILEMODES:perms} %{FILENAMES}\\n]').filter((l) => !l.startsWith('d'));
    expect(rpmFiles.sort()).toEqual(debFiles.sort());
    expect(rpmFiles).toContain('-rwxr-xr-x /usr/lib/mailbackup/mailbackup.mjs');
    expect(rpmFiles).toContain('lrwxrwxrwx /usr/bin/mailbackup');
    expect(rpmFiles).toContain('-rw-r--r-- /usr/share/man/man1/mailbackup-backup.1.gz');

    expect(qp('--requires').filter((r) => !/^(rpmlib\(|\/bin\/sh)/.test(r)).sort()).toEqual(['gzip', 'nodejs >= 1:20.5', 'rsync', 'util-linux']);
    expect(debField('Depends')).toBe('nodejs (>= 20.5), rsync, gzip, util-linux');
    expect(qp('--recommends').sort()).toEqual(['restic', 'smartmontools']);
    expect(debField('Recommends')).toBe('restic, smartmontools');
    expect(qp('--configfiles').sort()).toEqual(['/etc/logrotate.d/mailbackup', '/etc/mailbackup/config.example.yml']);
    expect(debControl('conffiles').trim().split('\n').sort()).toEqual(['/etc/logrotate.d/mailbackup', '/etc/mailbackup/config.example.yml']);
  });

  it('has the scriptlets of the .deb: reload systemd after install and removal, disable the timers only on erase', () => {
    const scripts = run('rpm', ['-qp', '--scripts', rpm]).stdout;
    const disable = /systemctl --no-reload disable --now (mailbackup-\S+\.timer ?)+/;
    expect(scripts).toMatch(/postinstall scriptlet[^\n]*\n[^\n]*systemctl daemon-reload/);
    expect(scripts).toMatch(/postuninstall scriptlet[^\n]*\n[^\n]*systemctl daemon-reload/);
    expect(scripts).toMatch(/preuninstall scriptlet[^\n]*\nif \[ "\$1" -eq 0 \]; then[^\n]*mailbackup-drill\.timer/);
    expect(debControl('postinst')).toMatch(/configure\)[^\n]*systemctl daemon-reload/);
    expect(debControl('prerm')).toMatch(/ remove\)[^\n]*mailbackup-drill\.timer/);
    expect(debControl('prerm').match(disable)?.[0]).toBe(scripts.match(disable)?.[0]);
  });

  it('installs into a scratch root (--nodeps), upgrades keeping the config, erases leaving it', () => {
    const root = scratchRoot();
    const rpmIn = (...args: string[]) => run('rpm', ['--root', root, ...args]);
    try {
      expect(rpmIn('--initdb').status).toBe(0);
      const install = rpmIn('--nodeps', '-i', rpm);
      expect(install.stderr).not.toMatch(/scriptlet failed|error/i);
      expect(install.status).toBe(0);
      expect(rpmIn('-V', '--nodeps', 'mailbackup')).toMatchObject({ status: 0, stdout: '' });
      expect(readFileSync(join(root, 'usr/bin/mailbackup'), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
      expect(existsSync(join(root, 'usr/share/zsh/site-functions/_mailbackup'))).toBe(true);

      appendFileSync(join(root, 'etc/mailbackup/config.example.yml'), '# edited by the admin\n');
      writeFileSync(join(root, 'etc/mailbackup/config.yml'), '# the admin\'s config\n');
      buildPackages(out, ['--only', 'rpm', '--version', `${V}+upgrade1`]);
      expect(rpmIn('--nodeps', '-U', join(out, `mailbackup-${V}+upgrade1-1.noarch.rpm`)).status).toBe(0);
      expect(rpmIn('-q', 'mailbackup').stdout.trim()).toBe(`mailbackup-${V}+upgrade1-1.noarch`);
      expect(readFileSync(join(root, 'etc/mailbackup/config.example.yml'), 'utf8')).toMatch(/# edited by the admin\n$/);
      expect(readdirSync(join(root, 'etc/mailbackup')).sort()).toEqual(['config.example.yml', 'config.yml']);

      expect(rpmIn('--nodeps', '-e', 'mailbackup').status).toBe(0);
      expect(existsSync(join(root, 'usr/lib/mailbackup/mailbackup.mjs'))).toBe(false);
      expect(readFileSync(join(root, 'etc/mailbackup/config.yml'), 'utf8')).toBe('# the admin\'s config\n');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
