/**
 * Issue 7 "must show": `init` on the test fixture's compose file produces a config that
 * `backup` accepts unchanged, prepares the destination and prints what it verified.
 */
import { chmodSync, existsSync, readFileSync, readdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createFixture, type Fixture } from '../helpers/fixture.js';
import { ALL_LAYOUTS } from '../helpers/mailtree.js';

let fx: Fixture;
let written: string;
let dest: string;

beforeAll(async () => {
  fx = await createFixture({ tree: { domains: 1, usersPerDomain: 2, messagesPerFolder: 3 } });
  written = join(fx.base, 'init-config.yml');
  dest = join(fx.mountDir, 'from-init');
});
afterAll(async () => {
  await fx?.cleanup();
});

const init = (extra: string[] = []) =>
  fx.run(['init', '--write-config', written, '--source-root', fx.sourceRoot, '--destination', dest, '--credentials-file', fx.credentialsFile, '--log-dir', join(fx.base, 'init-log'), ...extra]);

describe('init on the fixture compose project', () => {
  it('--dry-run prints the config and the checklist and writes nothing', async () => {
    const r = await init(['--dry-run']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^source:\n {2}root: /m);
    expect(r.stdout).toMatch(/would write .*init-config\.yml/);
    expect(r.stdout).toMatch(/would prepare destination/);
    expect(existsSync(written)).toBe(false);
    expect(existsSync(dest)).toBe(false);
  });

  it('discovers containers and paths, writes a 0600 config, prepares the destination, all checks ok', async () => {
    const r = await init();
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(statSync(written).mode & 0o777).toBe(0o600);
    const text = readFileSync(written, 'utf8');
    expect(text).toMatch(/^# mailbackup configuration/);
    const c = parse(text);
    expect(c.source).toMatchObject({ root: fx.sourceRoot, mail: 'data/mail', certbot: 'data/certbot', dkim: 'config/opendkim', logs: 'logs' });
    expect(c.database).toMatchObject({ runtime: 'docker', container: 'mailserver-mariadb', credentialsFile: fx.credentialsFile });
    expect([...c.database.databases].sort()).toEqual(['roundcubemail', 'usermgmt']);
    expect(c.dovecot.container).toBe('mailserver-dovecot');
    expect(c.destination).toEqual({ root: dest, requireMountpoint: fx.mountDir });
    expect(statSync(dest).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(join(dest, '.mailbackup'), 'utf8')).format).toBe(1);
    for (const line of [/\[ok\]\s+rsync found/, /\[ok\]\s+docker container mailserver-mariadb answers; dump client mariadb-dump/, /\[ok\]\s+credentials file .* mode 0600/, /\[ok\]\s+.* is a mount point/, /\[ok\]\s+databases .* answer/]) {
      expect(r.stdout).toMatch(line);
    }
    // the probe went through the container runtime, as on the server
    expect(fx.shim.argvLog().some((a) => a.includes('exec') && a.includes('mailserver-mariadb') && a.includes('mariadb-dump'))).toBe(true);
  });

  it('writes a config that backup accepts unchanged', async () => {
    const b = await fx.run(['--config', written, 'backup', '--date', '2026-11-02']);
    expect(b.code, b.stderr).toBe(0);
    const meta = JSON.parse(readFileSync(join(dest, 'daily', '2026-11-02', 'backup.json'), 'utf8'));
    expect(meta.status).toBe('ok');
    expect(Object.keys(meta.databases).sort()).toEqual(['roundcubemail', 'usermgmt']);
    expect(readdirSync(join(dest, 'daily', '2026-11-02'))).toEqual(expect.arrayContaining(['mail', 'ssl', 'dkim', 'config', 'logs', 'mysql']));
  });

  it('keeps an existing config, and fails the checklist for a credentials file others can read', async () => {
    const before = readFileSync(written, 'utf8');
    chmodSync(fx.credentialsFile, 0o644);
    try {
      const r = await init();
      expect(r.code).toBe(2);
      expect(r.stdout).toMatch(/\[FAIL\] credentials file .* is mode 0644 — others can read the password: chmod 600/);
      expect(r.stdout).toMatch(/kept existing config/);
      expect(readFileSync(written, 'utf8')).toBe(before);
    } finally {
      chmodSync(fx.credentialsFile, 0o600);
    }
  });

  it('cannot list the databases yet: writes databases: all (each run lists them)', async () => {
    const r = await init(['--dry-run', '--force', '--credentials-file', join(fx.base, 'no-such.cnf')]);
    expect(r.stdout).toMatch(/\[warn\] could not list the databases on the server .*databases: all is written/);
    expect(parse(r.stdout.split('# ---- checks')[0]).database.databases).toBe('all');
    expect(r.stdout).toMatch(/^ {2}# enabled: false$/m);
    expect(r.stdout).toMatch(/requirements class the databases as P0/);
  });

  it('on an existing config that lacks the databases the server now lists, prints the lines to add', async () => {
    const old = join(fx.base, 'old-config.yml');
    writeFileSync(old, readFileSync(written, 'utf8').replace(/^ {2}databases: .*$/m, '  databases: []'), { mode: 0o600 });
    const before = readFileSync(old, 'utf8');
    const r = await fx.run(['init', '--write-config', old, '--source-root', fx.sourceRoot, '--destination', dest]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/\[warn\] existing config: the server has roundcubemail, usermgmt, but database\.databases is empty/);
    expect(r.stdout).toMatch(/lacks what init can now discover[^\n]*\n {2}# [^\n]*\n {2}database:\n {4}databases: all {3}# the server lists roundcubemail, usermgmt/);
    expect(readFileSync(old, 'utf8')).toBe(before);
    // with the printed line added, init has nothing more to say about the databases
    writeFileSync(old, before.replace('  databases: []', '  databases: all'), { mode: 0o600 });
    const fixed = await fx.run(['init', '--write-config', old, '--source-root', fx.sourceRoot, '--destination', dest]);
    expect(fixed.code, fixed.stdout).toBe(0);
    expect(fixed.stdout).not.toMatch(/lacks what init can now discover/);
    expect(fixed.stdout).toMatch(/\[ok\]\s+databases: all — the server lists roundcubemail, usermgmt/);
  });

  it('probes mariadb-dump first and falls back to mysqldump (and mysql) in an older image', async () => {
    fx.shim.setContainer('mailserver-mariadb', { status: 'running', missingCommands: ['mariadb-dump', 'mariadb'] });
    try {
      const r = await init(['--force']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/\[ok\]\s+docker container mailserver-mariadb answers; dump client mysqldump/);
      expect([...parse(readFileSync(written, 'utf8')).database.databases].sort()).toEqual(['roundcubemail', 'usermgmt']);
      const probes = fx.shim.argvLog().filter((a) => a.includes('--version')).map((a) => a[a.indexOf('mailserver-mariadb') + 1]);
      expect(probes.slice(-4)).toEqual(expect.arrayContaining(['mariadb-dump', 'mysqldump']));
    } finally {
      fx.shim.setContainer('mailserver-mariadb', 'running');
    }
  });

  it('refuses a destination whose required mount point is not mounted, writing nothing there', async () => {
    const elsewhere = join(fx.base, 'not-a-mount', 'mailserver');
    const r = await fx.run(['init', '--write-config', join(fx.base, 'other.yml'), '--source-root', fx.sourceRoot, '--destination', elsewhere, '--require-mountpoint', join(fx.base, 'not-a-mount'), '--credentials-file', fx.credentialsFile, '--log-dir', join(fx.base, 'init-log')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/\[FAIL\] .*not-a-mount is not a mount point/);
    expect(existsSync(elsewhere)).toBe(false);
  });
});

const INIT_CASES: [string, string][] = [...ALL_LAYOUTS.map((l): [string, string] => [l, 'vmail']), ['%d/%n', '.']];
/** the main layouts and docker-mailserver's */
const MAIN_CASES: [string, string][] = [['%d/%u', 'vmail'], ['%d/%n', 'vmail'], ['%d/%n', '.']];

function initProject(layout: string, mailboxRoot: string) {
  let p: Fixture;
  beforeAll(async () => {
    p = await createFixture({ destination: 'dir', mariadb: false, tree: { layout, mailboxRoot, domains: 1, usersPerDomain: 2, messagesPerFolder: 1, skipKeys: true } });
  });
  afterAll(async () => {
    await p?.cleanup();
  });
  return {
    dovecotConf: () => join(p.sourceRoot, 'config', 'dovecot', 'dovecot.conf'),
    async draft() {
      const r = await p.run(['init', '--dry-run', '--write-config', join(p.base, 'new.yml'), '--source-root', p.sourceRoot, '--destination', join(p.base, 'd'), '--credentials-file', p.credentialsFile]);
      return { out: r.stdout, config: parse(r.stdout.split('# ---- checks')[0]) as { source: { mailboxLayout: string; mailboxRoot: string } } };
    },
  };
}

describe.each(INIT_CASES)('init on a compose project whose Dovecot config uses %s under %s', (layout, mailboxRoot) => {
  const project = initProject(layout, mailboxRoot);

  it('writes the layout Dovecot states, with a comment naming the file and setting', async () => {
    const { out, config } = await project.draft();
    expect(config.source.mailboxLayout).toBe(layout);
    expect(config.source.mailboxRoot).toBe(mailboxRoot);
    expect(out).toMatch(new RegExp(`^  mailboxLayout: "${layout}"   # from config/dovecot/dovecot\\.conf: mail_location = maildir:`, 'm'));
    expect(out).toMatch(/\[ok\]\s+mailbox layout .* from the Dovecot config/);
    expect(out).not.toMatch(/looks like/);
  });
});

describe.each(MAIN_CASES)('init where Dovecot and the tree (%s under %s) disagree', (layout, mailboxRoot) => {
  const project = initProject(layout, mailboxRoot);

  it('writes what Dovecot says with a warning, and what the tree shows when there is no Dovecot config', async () => {
    const other = layout === '%d/%u' ? '%d/%n' : '%d/%u';
    writeFileSync(project.dovecotConf(), `mail_location = maildir:/var/mail/${mailboxRoot === '.' ? '' : 'vmail/'}${other}\n`);
    const wrong = await project.draft();
    expect(wrong.config.source.mailboxLayout).toBe(other);
    expect(wrong.out).toMatch(new RegExp(`\\[warn\\]\\s+the mail tree .* looks like ${layout.replace(/\//g, '\\/')}, Dovecot says ${other}`));
    unlinkSync(project.dovecotConf());
    const fromTree = await project.draft();
    expect(fromTree.config.source.mailboxLayout).toBe(layout);
    expect(fromTree.config.source.mailboxRoot).toBe(mailboxRoot);
    expect(fromTree.out).toMatch(/mailboxLayout: .*# detected from the tree/);
  });
});
