import { describe, expect, it } from 'vitest';
import { packageEntries, packagedUnits } from '../../../src/packaging/layout.js';

const manPages = [{ file: 'mailbackup.1', text: '.TH MAILBACKUP 1\n' }];
const docs = ['docs/operations.md', 'docs/ja/recovery.md'];

describe('packageEntries', () => {
  const deb = packageEntries('deb', { manPages, docs });
  const rpm = packageEntries('rpm', { manPages, docs });
  const at = (path: string) => deb.find((e) => e.path === path);

  it('installs the program executable, with /usr/bin/mailbackup a relative link to it', () => {
    expect(at('/usr/lib/mailbackup/mailbackup.mjs')).toMatchObject({ mode: 0o755, from: 'dist/mailbackup.mjs' });
    expect(at('/usr/bin/mailbackup')).toMatchObject({ symlink: '../lib/mailbackup/mailbackup.mjs' });
  });

  it('marks exactly the example config and the logrotate file as config files, the example 0600', () => {
    expect(deb.filter((e) => e.conffile).map((e) => e.path)).toEqual(['/etc/logrotate.d/mailbackup', '/etc/mailbackup/config.example.yml']);
    expect(at('/etc/mailbackup/config.example.yml')?.mode).toBe(0o600);
    expect(deb.some((e) => e.path === '/etc/mailbackup/config.yml')).toBe(false); // init's, never the package's
  });

  it('gzips the man pages, ships the docs and the completions; only zsh\'s directory differs', () => {
    expect(at('/usr/share/man/man1/mailbackup.1.gz')).toMatchObject({ gzip: true, text: '.TH MAILBACKUP 1\n' });
    expect(at('/usr/share/doc/mailbackup/docs/ja/recovery.md')).toMatchObject({ from: 'docs/ja/recovery.md', doc: true });
    expect(at('/usr/share/bash-completion/completions/mailbackup')?.from).toBe('config/completion/mailbackup');
    const paths = (es: typeof deb) => es.map((e) => e.path);
    expect(paths(deb).filter((p) => !paths(rpm).includes(p))).toEqual(['/usr/share/zsh/vendor-completions/_mailbackup']);
    expect(paths(rpm).filter((p) => !paths(deb).includes(p))).toEqual(['/usr/share/zsh/site-functions/_mailbackup']);
  });
});

describe('packagedUnits', () => {
  it('are the seven scheduled jobs, run as the installed program with the default config', () => {
    const units = packagedUnits();
    expect(units.map((u) => u.name).filter((n) => n.endsWith('.timer'))).toEqual([
      'mailbackup-backup.timer', 'mailbackup-weekly.timer', 'mailbackup-rolling-verify.timer',
      'mailbackup-status.timer', 'mailbackup-smart.timer', 'mailbackup-report.timer', 'mailbackup-drill.timer',
    ]);
    const backup = units.find((u) => u.name === 'mailbackup-backup.service')!.text;
    expect(backup).toContain('ExecStart=/usr/lib/mailbackup/mailbackup.mjs --config /etc/mailbackup/config.yml backup\n');
    expect(units.find((u) => u.name === 'mailbackup-weekly.timer')!.text).toContain('OnCalendar=Sun *-*-* 04:00:00\n');
  });
});
