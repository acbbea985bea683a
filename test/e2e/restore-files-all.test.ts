/**
 * restore all and restore files from a real `mailbackup backup` of a generated server:
 * restore all reproduces the source tree (paths, content, modes, owners, symlinks) and prints
 * steps that work; files --in-place saves what it replaces and brings back certbot's symlinks.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, linkSync, mkdirSync, lstatSync, statSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixture, type Fixture } from '../helpers/fixture.js';
import { tableRowCounts } from '../helpers/mariadb.js';
import { mountTmpfs } from '../helpers/mount.js';
import { comparable, fingerprint } from '../integration/restore-snapshot.js';

let fx: Fixture;
let snap: string;
const temps: string[] = [];
const temp = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), p));
  temps.push(d);
  return d;
};

beforeAll(async () => {
  fx = await createFixture({ destination: 'tmpfs', tree: { domains: 2, usersPerDomain: 2, messagesPerFolder: 3 } });
  // a root that is neither 0700 nor the default 0755/root, so restore all must copy it
  chmodSync(fx.sourceRoot, 0o750);
  chownSync(fx.sourceRoot, 0, 5000);
  const b = await fx.run(['backup', '--date', '2026-11-27']);
  expect(b.code, b.stderr).toBe(0);
  snap = join(fx.destRoot, 'daily', '2026-11-27');
});
afterAll(async () => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
  await fx?.cleanup();
});

describe('restore all --to', () => {
  it('--dry-run lists where each component goes and writes nothing', async () => {
    const dir = temp('mb-all-dry-');
    const r = await fx.run(['restore', 'all', '--to', dir, '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(join(dir, 'data/mail'));
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reproduces the source tree and prints steps that work', async () => {
    const dir = temp('mb-all-');
    // a new machine has no credentials file yet: the printed steps must make the one restore db reads
    const newCnf = join(temp('mb-all-cnf-'), 'my.cnf');
    fx.writeConfig({ database: { credentialsFile: newCnf } });
    let r: Awaited<ReturnType<Fixture['run']>>;
    try {
      r = await fx.run(['restore', 'all', '--to', dir]);
    } finally {
      fx.writeConfig({ database: { credentialsFile: fx.credentialsFile } });
    }
    expect(r.code, r.stderr).toBe(0);
    const source = comparable(fingerprint(fx.sourceRoot));
    const restored = comparable(fingerprint(dir));
    expect(Object.keys(restored).sort()).toEqual(Object.keys(source).sort());
    for (const p of Object.keys(source)) expect(restored[p], p).toEqual(source[p]);
    const root = statSync(dir);
    expect({ mode: root.mode & 0o7777, uid: root.uid, gid: root.gid }).toEqual({ mode: 0o750, uid: 0, gid: 5000 });
    const live = join(dir, 'data/certbot/live', fx.tree.domains[0], 'fullchain.pem');
    expect(lstatSync(live).isSymbolicLink()).toBe(true);
    expect(readFileSync(live, 'utf8')).toMatch(/BEGIN CERTIFICATE/);

    const out = r.stdout;
    const compose = parseYaml(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')) as { services: Record<string, unknown> };
    const up = /docker compose up -d (\S+)/.exec(out);
    expect(up?.[1]).toBeDefined();
    expect(Object.keys(compose.services)).toContain(up![1]);
    expect(out).toMatch(/docker compose up -d\n/);
    expect(out).toContain('until docker exec mailserver-mariadb mariadb-admin ping --silent');
    const lines = out.split('\n').map((l) => l.trim());
    const dbLines = lines.filter((l) => /^mailbackup .*restore db /.test(l));
    expect(dbLines.map((l) => /restore db (\S+)/.exec(l)![1]).sort()).toEqual(['roundcubemail', 'usermgmt']);
    expect(dbLines.every((l) => l.endsWith(' --with-grants'))).toBe(true); // the accounts come back with the databases
    // runbook §1.5 before §1.6: the credentials file is written before the first restore db
    const cnfLines = lines.filter((l) => l.includes(newCnf) || l.includes(join(dir, '.env')));
    expect(cnfLines.map((l) => l.replace(/^\d+\. /, '').split(' ')[0])).toEqual(['Put', 'grep', 'install', 'printf']);
    expect(lines.indexOf(cnfLines[3])).toBeLessThan(lines.indexOf(dbLines[0]));
    // runbook §1.7: the list ends by putting the schedule back
    expect(lines.filter(Boolean).at(-1)).toMatch(/^mailbackup .*schedule --install\b/);
    // run the printed lines as the admin would (the fixture's MariaDB stands in for the new one)
    const shell = (l: string) => execFileSync('sh', ['-c', l], { encoding: 'utf8' });
    expect(shell(cnfLines[1])).toMatch(/^MYSQL_ROOT_PASSWORD=/m);
    for (const l of cnfLines.slice(2)) shell(l.replace("'THE-PASSWORD'", `'${fx.mariadb!.password}'`));
    expect(statSync(newCnf).mode & 0o777).toBe(0o600);
    const before = await tableRowCounts(fx.mariadb!, 'usermgmt');
    await fx.mariadb!.query('DROP DATABASE usermgmt');
    fx.writeConfig({ database: { credentialsFile: newCnf } });
    try {
      for (const line of dbLines) {
        const args = line.split(/\s+/).slice(1);
        const res = await fx.run(args[0] === '--config' ? args.slice(2) : args);
        expect(res.code, `${line}\n${res.stdout}${res.stderr}`).toBe(0);
      }
    } finally {
      fx.writeConfig({ database: { credentialsFile: fx.credentialsFile } });
    }
    expect(await tableRowCounts(fx.mariadb!, 'usermgmt')).toEqual(before);
  });

  it('after a run cut short (target disk full), refuses the rerun and says how to start clean; that advice works', async () => {
    const mailBytes = JSON.parse(readFileSync(join(snap, 'backup.json'), 'utf8')).components.mail.bytes as number;
    const small = await mountTmpfs(1);
    try {
      expect(mailBytes).toBeGreaterThan(1024 * 1024); // so the copy of mail/ cannot fit
      const dir = small.dir;
      const r = await fx.run(['restore', 'all', '--to', dir]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`find ${dir} -mindepth 1 -delete`);
      execFileSync('mount', ['-o', 'remount,size=64m', dir]); // the admin frees space
      for (const extra of [[], ['--yes']]) {
        // a plain rerun, or one adding --yes, would keep the half-copied file
        const again = await fx.run(['restore', 'all', '--to', dir, ...extra]);
        expect(again.code, again.stderr).toBe(64);
        expect(again.stderr).toMatch(/interrupted or failed/);
      }
      const advice = /\((find \S+ -mindepth 1 -delete)\)/.exec(r.stderr)![1];
      execFileSync('sh', ['-c', advice]);
      const ok = await fx.run(['restore', 'all', '--to', dir]);
      expect(ok.code, ok.stderr).toBe(0);
      expect(comparable(fingerprint(join(dir, 'data/mail')))).toEqual(comparable(fingerprint(join(snap, 'mail'))));
      expect(existsSync(join(dir, '.mailbackup-restore-all'))).toBe(false);
    } finally {
      await small.cleanup();
    }
  });

  it('on new hardware restores straight into source.root when it is still empty', async () => {
    const fresh = join(temp('mb-newhw-'), 'mailserver');
    fx.writeConfig({ source: { root: fresh } });
    try {
      const r = await fx.run(['restore', 'all', '--to', fresh]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).not.toMatch(/not under source\.root/);
      expect(comparable(fingerprint(join(fresh, 'data/mail')))).toEqual(comparable(fingerprint(join(snap, 'mail'))));
      const again = await fx.run(['restore', 'all', '--to', fresh, '--yes']);
      expect(again.code).toBe(64);
      expect(again.stderr).toMatch(/live mail store/);
    } finally {
      fx.writeConfig({ source: { root: fx.sourceRoot } });
    }
  });

  it('refuses a non-empty directory without --yes, the backup disk, and a live server root', async () => {
    const dir = temp('mb-all-busy-');
    writeFileSync(join(dir, 'keep'), 'x');
    for (const [to, msg] of [
      [dir, /not empty/],
      [join(fx.destRoot, 'restore'), /backup destination/],
      [fx.sourceRoot, /live mail store/],
    ] as const) {
      const r = await fx.run(['restore', 'all', '--to', to]);
      expect(r.code, r.stderr).toBe(64);
      expect(r.stderr).toMatch(msg);
    }
    expect(readdirSync(dir)).toEqual(['keep']);
    expect(existsSync(join(fx.destRoot, 'restore'))).toBe(false);
  });
});

describe('restore all --to a disk that fails writeback', () => {
  it('keeps its mark until the copy is on the disk: a syncfs error says to empty the target, and the rerun is refused', async () => {
    // 64 MiB of ext4 whose image sits on a full tmpfs: cp fills the page cache and exits 0, then
    // the writeback meets ENOSPC below ext4 (EIO), which sync -f reports
    const probe = join(temp('mb-all-probe-'), 'disk.img');
    const mkfs = (img: string) => {
      execFileSync('truncate', ['-s', '64M', img]);
      execFileSync('mkfs.ext4', ['-q', '-F', '-m', '0', '-E', 'lazy_itable_init=0,lazy_journal_init=0', img], { stdio: 'pipe' });
    };
    mkfs(probe);
    const afterMkfs = Number(execFileSync('du', ['-m', '-s', probe], { encoding: 'utf8' }).split('\t')[0]);
    const backing = await mountTmpfs(afterMkfs + 1);
    const dir = temp('mb-all-eio-');
    try {
      mkfs(join(backing.dir, 'disk.img'));
      spawnSync('dd', ['if=/dev/zero', `of=${join(backing.dir, 'filler')}`, 'bs=4k']); // ends at ENOSPC: no room left
      execFileSync('mount', ['-o', 'loop,errors=remount-ro', join(backing.dir, 'disk.img'), dir]);
      try {
        rmSync(join(dir, 'lost+found'), { recursive: true }); // an empty target
        const r = await fx.run(['restore', 'all', '--to', dir]);
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toContain(`find ${dir} -mindepth 1 -delete`);
        const again = await fx.run(['restore', 'all', '--to', dir, '--yes']);
        expect(again.code, again.stderr).toBe(64);
        expect(again.stderr).toMatch(/interrupted or failed/);
      } finally {
        execFileSync('umount', [dir]);
      }
    } finally {
      await backing.cleanup();
    }
  });
});

describe('restore files', () => {
  it('--in-place ssl: saves what it replaces, restores the live→archive symlinks and modes', async () => {
    const certbot = join(fx.sourceRoot, 'data/certbot');
    const domain = fx.tree.domains[0];
    const link = join(certbot, 'live', domain, 'privkey.pem');
    const target = readlinkSync(link);
    unlinkSync(link);
    const renewal = join(certbot, 'renewal', `${domain}.conf`);
    writeFileSync(renewal, 'broken by hand\n');
    const archiveKey = join(certbot, 'archive', domain, 'privkey1.pem');
    const mode = lstatSync(archiveKey).mode & 0o777;
    chmodSync(archiveKey, 0o644);

    const dry = await fx.run(['restore', 'files', '--component', 'ssl', '--in-place', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/to create: 1\b/);
    expect(dry.stdout).toMatch(/to replace \(saved to safety\/ first\): 2\b/);
    expect(existsSync(link)).toBe(false);

    const refused = await fx.run(['restore', 'files', '--component', 'ssl', '--in-place']);
    expect(refused.code).toBe(64);

    const r = await fx.run(['restore', 'files', '--component', 'ssl', '--in-place', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(readlinkSync(link)).toBe(target);
    expect(lstatSync(archiveKey).mode & 0o777).toBe(mode);
    expect(comparable(fingerprint(certbot))).toEqual(comparable(fingerprint(join(snap, 'ssl'))));
    const stamps = readdirSync(join(fx.destRoot, 'safety'));
    const saved = join(fx.destRoot, 'safety', stamps[stamps.length - 1], 'files', 'ssl');
    expect(readFileSync(join(saved, 'renewal', `${domain}.conf`), 'utf8')).toBe('broken by hand\n');
    expect(lstatSync(join(saved, 'archive', domain, 'privkey1.pem')).mode & 0o777).toBe(0o644);
  });

  it('--in-place with nothing changed does nothing and saves nothing', async () => {
    const before = existsSync(join(fx.destRoot, 'safety')) ? readdirSync(join(fx.destRoot, 'safety')) : [];
    const r = await fx.run(['restore', 'files', '--component', 'dkim', '--in-place', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/nothing to do/);
    expect(existsSync(join(fx.destRoot, 'safety')) ? readdirSync(join(fx.destRoot, 'safety')) : []).toEqual(before);
  });

  it('--to copies the config entries by their path under source.root, .env still 0600', async () => {
    const dir = temp('mb-files-');
    const r = await fx.run(['restore', 'files', '--component', 'config', '--to', join(dir, 'config-copy')]);
    expect(r.code, r.stderr).toBe(0);
    expect(comparable(fingerprint(join(dir, 'config-copy')))).toEqual(comparable(fingerprint(join(snap, 'config'))));
    expect(lstatSync(join(dir, 'config-copy', '.env')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'config-copy', 'docker-compose.yml'), 'utf8')).toBe(readFileSync(join(fx.sourceRoot, 'docker-compose.yml'), 'utf8'));
  });
});

describe('restore all --to, what a plain copy could lose', () => {
  it('keeps hardlinks between folders, ACLs and xattrs (cp -a into a new directory)', async () => {
    const mb = fx.tree.users[0].mailbox;
    const cur = join(mb, 'cur');
    const msg = readdirSync(cur)[0];
    // Dovecot's maildir_copy_with_hardlinks: one inode under two folders
    mkdirSync(join(mb, '.Linked', 'cur'), { recursive: true });
    mkdirSync(join(mb, '.Linked', 'new'), { recursive: true });
    linkSync(join(cur, msg), join(mb, '.Linked', 'cur', msg));
    execFileSync('setfacl', ['-m', 'u:4321:r', join(cur, msg)]);
    execFileSync('setfattr', ['-n', 'user.mailbackup-test', '-v', 'kept', join(cur, msg)]);
    const b = await fx.run(['backup', '--date', '2026-11-28']);
    expect(b.code, b.stderr).toBe(0);
    const dir = temp('mb-all-links-');
    const r = await fx.run(['restore', 'all', '--to', dir, '--snapshot', '2026-11-28']);
    expect(r.code, r.stderr).toBe(0);
    const rel = mb.slice(fx.sourceRoot.length + 1);
    const a = join(dir, rel, 'cur', msg);
    const l = join(dir, rel, '.Linked', 'cur', msg);
    expect(statSync(a).ino).toBe(statSync(l).ino);
    expect(execFileSync('getfacl', ['-cp', a], { encoding: 'utf8' })).toContain('user:4321:r--');
    expect(execFileSync('getfattr', ['--only-values', '-n', 'user.mailbackup-test', a], { encoding: 'utf8' })).toBe('kept');
  });
});
