import { describe, expect, it } from 'vitest';
import type { Entry } from '../../../src/packaging/layout.js';
import { renderDebian, renderRpmSpec } from '../../../src/packaging/metadata.js';

const entries: Entry[] = [
  { path: '/usr/lib/mailbackup/mailbackup.mjs', mode: 0o755, from: 'dist/mailbackup.mjs' },
  { path: '/usr/bin/mailbackup', mode: 0o777, symlink: '../lib/mailbackup/mailbackup.mjs' },
  { path: '/etc/mailbackup/config.example.yml', mode: 0o600, from: 'x', conffile: true },
  { path: '/usr/share/doc/mailbackup/README.md', mode: 0o644, from: 'README.md', doc: true },
];

describe('renderDebian', () => {
  const d = renderDebian({ version: '1.2.3', installedKiB: 2048, entries });

  it('declares version, architecture, dependencies and recommendations', () => {
    expect(d.control).toMatch(/^Package: mailbackup\nVersion: 1\.2\.3\nArchitecture: all\n/);
    expect(d.control).toContain('\nInstalled-Size: 2048\n');
    expect(d.control).toContain('\nDepends: nodejs (>= 20.5), rsync, gzip, util-linux\n');
    expect(d.control).toContain('\nRecommends: restic, smartmontools\n');
    expect(d.conffiles).toBe('/etc/mailbackup/config.example.yml\n');
  });

  it('reloads systemd after configure and removal, and disables the timers only on remove (not upgrade)', () => {
    expect(d.postinst).toMatch(/\n {2}configure\) if \[ -d \/run\/systemd\/system \]; then systemctl daemon-reload/);
    expect(d.prerm).toMatch(/\n {2}remove\) .*systemctl --no-reload disable --now mailbackup-backup\.timer .*mailbackup-drill\.timer/);
    expect(d.prerm).not.toMatch(/upgrade/);
    expect(d.postrm).toMatch(/\n {2}remove\|purge\) .*daemon-reload/);
  });
});

describe('renderRpmSpec', () => {
  const spec = renderRpmSpec({ version: '1.2.3', stage: '/tmp/stage', entries });

  it('requires Node 20.5 with Fedora/Rocky\'s epoch, and lists every file with its mode', () => {
    expect(spec).toMatch(/^Name: mailbackup\nVersion: 1\.2\.3\nRelease: 1\n/);
    expect(spec).toContain('\nRequires: nodejs >= 1:20.5\nRequires: rsync\nRequires: gzip\nRequires: util-linux\n');
    expect(spec).toContain('\nRecommends: restic\nRecommends: smartmontools\n');
    expect(spec).toContain('\n%install\ncp -a /tmp/stage/. %{buildroot}/\n');
    expect(spec).toContain('\n%attr(0755,root,root) /usr/lib/mailbackup/mailbackup.mjs\n/usr/bin/mailbackup\n');
    expect(spec).toContain('\n%attr(0600,root,root) %config(noreplace) /etc/mailbackup/config.example.yml\n');
    expect(spec).toContain('\n%attr(0644,root,root) %doc /usr/share/doc/mailbackup/README.md\n');
    expect(spec).toContain('\n%dir %attr(0700,root,root) /etc/mailbackup\n');
  });

  it('disables the timers only on erase ($1 = 0), not on upgrade', () => {
    expect(spec).toMatch(/\n%preun\nif \[ "\$1" -eq 0 \]; then if \[ -d \/run\/systemd\/system \]; then systemctl --no-reload disable --now mailbackup-backup\.timer/);
  });
});
