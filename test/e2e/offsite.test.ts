/**
 * The offsite copy against real restic (Debian) and real backends: a local-path repository, a
 * REST server (`rclone serve restic`) and SFTP through OpenSSH's sftp-server (restic's
 * `-o sftp.command=`), after real backups of a generated mail server. Round trip equal to the
 * manifest, incremental pushes, retention, damage found by check --read-data, status, the
 * automatic push after a backup and a drill on the fetched copy.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixture, type Fixture } from '../helpers/fixture.js';
import { simulateDay } from '../helpers/mailtree.js';
import { startRestServer, type RestServer } from '../helpers/restic-server.js';

let f: Fixture;
let rest: RestServer;
let tmp: string;
const day = (back: number) => new Date(Date.now() - back * 86_400_000).toISOString().slice(0, 10);
const [D1, D2, D3, D4] = [day(3), day(2), day(1), day(0)];
// OpenSSH's sftp-server speaking on stdin/stdout: restic's SFTP backend without an sshd (Debian path, then RHEL's)
const sftpServer = ['/usr/lib/openssh/sftp-server', '/usr/libexec/openssh/sftp-server'].find((p) => existsSync(p)) ?? '/usr/lib/openssh/sftp-server';
const SFTP = { 'sftp.command': `${sftpServer} -e` };

const repos = () => ({
  local: { name: 'local', url: join(tmp, 'local-repo'), passwordFile: join(tmp, 'local.pass') },
  rest: { name: 'rest', url: rest.url, passwordFile: join(tmp, 'rest.pass') },
  sftp: { name: 'sftp', url: `sftp:localhost:${join(tmp, 'sftp-repo')}`, passwordFile: join(tmp, 'sftp.pass'), options: SFTP },
  damaged: { name: 'damaged', url: join(tmp, 'damaged-repo'), passwordFile: join(tmp, 'damaged.pass') },
});
const offsite = (over: Record<string, unknown> = {}) => ({ offsite: { after: 'never', repositories: Object.values(repos()), ...over } });
const run = (args: string[]) => f.run(args, { XDG_CACHE_HOME: join(tmp, 'cache') });
const json = async (args: string[]) => {
  const r = await run(['--json', ...args]);
  return { ...r, data: JSON.parse(r.stdout || '{}') };
};
/** restic itself, as an admin would run it, for facts mailbackup does not report */
function restic(repo: { url: string; passwordFile: string; options?: Record<string, string> }, args: string[]): string {
  const opts = Object.entries(repo.options ?? {}).flatMap(([k, v]) => ['-o', `${k}=${v}`]);
  return execFileSync('restic', [...opts, ...args], { env: { ...process.env, RESTIC_REPOSITORY: repo.url, RESTIC_PASSWORD_FILE: repo.passwordFile, XDG_CACHE_HOME: join(tmp, 'cache') }, encoding: 'utf8' });
}
const resticSnaps = (repo: Parameters<typeof restic>[0]) => JSON.parse(restic(repo, ['snapshots', '--json'])) as { id: string; short_id: string; tags: string[]; hostname: string; parent?: string; time: string }[];
const filesUnder = (dir: string) => execFileSync('find', ['.', '-type', 'f'], { cwd: dir, encoding: 'utf8' }).split('\n').filter(Boolean).sort();

beforeAll(async () => {
  f = await createFixture({ tree: { domains: 1, usersPerDomain: 2, messagesPerFolder: 4 } });
  tmp = join(f.base, 'offsite');
  rest = await startRestServer(join(tmp, 'rest-data'));
  for (const [i, d] of [D1, D2].entries()) {
    if (i) simulateDay(f.sourceRoot, { newFraction: 0.1, seed: 21 });
    const r = await f.run(['backup', '--date', d]);
    expect(r.code, r.stderr).toBe(0);
  }
  f.writeConfig(offsite());
}, 120_000);
afterAll(async () => {
  await rest?.stop();
  await f?.cleanup();
});

describe('offsite copies on restic', () => {
  it('init creates each repository and a random 0600 password file, and prints a recovery kit', async () => {
    const r = await run(['offsite', 'init']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const repo of Object.values(repos())) {
      expect(statSync(repo.passwordFile).mode & 0o777).toBe(0o600);
      const pass = readFileSync(repo.passwordFile, 'utf8').trim();
      expect(pass.length).toBeGreaterThanOrEqual(40);
      expect(r.stdout + r.stderr).not.toContain(pass);
      expect(r.stdout).toContain(repo.passwordFile);
    }
    expect(r.stdout).toContain(`export RESTIC_REPOSITORY='${rest.url}'`);
    expect(r.stdout).toMatch(/restic.* restore latest --tag mailbackup --host \S+ --target/);
    expect(r.stdout).toContain('sha256sum -c');
    const before = readFileSync(repos().local.passwordFile, 'utf8');
    const again = await run(['offsite', 'init', '--repo', 'local']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already exists');
    expect(readFileSync(repos().local.passwordFile, 'utf8')).toBe(before);
  });

  it('push makes one restic snapshot per mailbackup snapshot, tagged with its id, on this host', async () => {
    const r = await json(['offsite', 'push', `daily/${D1}`]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const repo of Object.values(repos())) {
      const snaps = resticSnaps(repo);
      expect(snaps).toHaveLength(1);
      expect(snaps[0].tags.sort()).toEqual([`daily/${D1}`, 'mailbackup']);
      expect(snaps[0].hostname).toBe(hostname());
      expect(snaps[0].time.slice(0, 10)).toBe(D1);
    }
    const list = await json(['offsite', 'list', '--repo', 'sftp']);
    expect(list.data.repositories[0].snapshots.map((s: { snapshot: string }) => s.snapshot)).toEqual([`daily/${D1}`]);
  });

  it('a second push of the same snapshot is a no-op', async () => {
    const r = await json(['offsite', 'push', `daily/${D1}`, '--repo', 'local']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.data.results[0].plan.action).toBe('skip');
    expect(resticSnaps(repos().local)).toHaveLength(1);
  });

  it("the next day's push is incremental on the previous copy", async () => {
    const first = resticSnaps(repos().local)[0];
    const r = await json(['offsite', 'push']); // latest = D2
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const res = r.data.results.find((x: { repository: string }) => x.repository === 'local');
    expect(res.snapshot).toBe(`daily/${D2}`);
    expect(res.plan.parent).toBe(first.id);
    expect(res.summary.files_unmodified).toBeGreaterThan(res.summary.files_new + res.summary.files_changed);
    const second = resticSnaps(repos().local).find((s) => s.tags.includes(`daily/${D2}`))!;
    expect(second.parent).toBe(first.id);
  });

  for (const name of ['local', 'rest', 'sftp'] as const) {
    it(`restore from ${name} gives back the snapshot directory: same files, manifest and sha256sum -c passes`, async () => {
      const to = join(tmp, `restored-${name}`);
      const r = await json(['offsite', 'restore', `daily/${D2}`, '--to', to, '--repo', name]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const local = join(f.destRoot, 'daily', D2);
      expect(filesUnder(to)).toEqual(filesUnder(local));
      expect(readFileSync(join(to, 'manifest.sha256'))).toEqual(readFileSync(join(local, 'manifest.sha256')));
      expect(readFileSync(join(to, 'backup.json'))).toEqual(readFileSync(join(local, 'backup.json')));
      const sum = spawnSync('sha256sum', ['-c', '--quiet', 'manifest.sha256'], { cwd: to, encoding: 'utf8' });
      expect(sum.status, sum.stdout + sum.stderr).toBe(0);
    });
  }

  it('restore refuses a directory that is not empty', async () => {
    const r = await run(['offsite', 'restore', 'latest', '--to', join(tmp, 'restored-local'), '--repo', 'local']);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('not empty');
  });

  it('retention forgets what offsite.retention does not keep', async () => {
    f.writeConfig(offsite({ retention: { daily: 1, weekly: 0, monthly: 0 } }));
    try {
      const r = await json(['offsite', 'push', `daily/${D2}`, '--repo', 'local']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.data.results[0].retention).toBe('applied');
      expect(resticSnaps(repos().local).map((s) => s.tags.find((t) => t !== 'mailbackup'))).toEqual([`daily/${D2}`]);
      expect(resticSnaps(repos().rest)).toHaveLength(2); // --repo: the others are left alone
    } finally {
      f.writeConfig(offsite());
    }
  });

  it('status shows per repository the newest copy, its age and the last check; Prometheus gets both', async () => {
    const c = await json(['offsite', 'check', '--repo', 'rest']);
    expect(c.code, c.stdout + c.stderr).toBe(0);
    const prom = join(tmp, 'mailbackup.prom');
    const s = await json(['status', '--prometheus', prom]);
    const byName = Object.fromEntries(s.data.offsite.map((o: { name: string }) => [o.name, o]));
    expect(byName.rest.newest.snapshot).toBe(`daily/${D2}`);
    expect(byName.rest.lastCheck).toMatchObject({ ok: true, mode: 'structure' });
    expect(s.data.problems.filter((p: { key: string }) => p.key.startsWith('offsite.'))).toEqual([]);
    const text = readFileSync(prom, 'utf8');
    expect(text).toMatch(/^mailbackup_offsite_newest_snapshot_timestamp_seconds\{repository="rest"\} \d+/m);
    expect(text).toMatch(/^mailbackup_offsite_last_check_ok\{repository="rest"\} 1$/m);
    expect(text).not.toMatch(/mailbackup_offsite_last_check_ok\{repository="sftp"\}/);

    f.writeConfig(offsite({ warnAfterDays: 0.000001, criticalAfterDays: 30 }));
    try {
      const late = await json(['status']);
      expect(late.code).toBe(1);
      expect(late.data.problems.map((p: { key: string }) => p.key)).toContain('offsite.local.age');
    } finally {
      f.writeConfig(offsite());
    }
  });

  it('a flipped byte in a pack file is found by check --read-data: exit 2 and status CRITICAL', async () => {
    const data = join(tmp, 'damaged-repo', 'data');
    const packs = readdirSync(data).flatMap((d) => readdirSync(join(data, d)).map((p) => join(data, d, p)));
    const biggest = packs.sort((a, b) => statSync(b).size - statSync(a).size)[0];
    const bytes = readFileSync(biggest);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    writeFileSync(biggest, bytes);

    const r = await json(['offsite', 'check', '--read-data', '--repo', 'damaged']);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.data.results[0]).toMatchObject({ repository: 'damaged', ok: false, damage: true });
    const s = await json(['status']);
    expect(s.code).toBe(2);
    expect(s.data.problems).toContainEqual(expect.objectContaining({ key: 'offsite.damaged.check', state: 'CRITICAL' }));
  });

  it('the rolling check reads a different part on each run', async () => {
    const modes: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await json(['offsite', 'check', '--read-data-subset', '--repo', 'rest']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      modes.push(r.data.results[0].mode);
    }
    expect(modes).toEqual(['--read-data-subset 1/12', '--read-data-subset 2/12', '--read-data-subset 3/12']);
    const cron = await run(['schedule', '--cron']);
    expect(cron.stdout).toMatch(/offsite check --read-data-subset$/m);
  });

  it('after: daily pushes once the backup is promoted; a failing push leaves the snapshot ok (exit 1)', async () => {
    const two = { after: 'daily', repositories: [repos().local, repos().rest] };
    f.writeConfig({ offsite: two });
    simulateDay(f.sourceRoot, { newFraction: 0.1, seed: 22 });
    const ok = await json(['backup', '--date', D3]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    for (const repo of [repos().local, repos().rest]) expect(resticSnaps(repo).some((s) => s.tags.includes(`daily/${D3}`))).toBe(true);

    await rest.stop();
    try {
      simulateDay(f.sourceRoot, { newFraction: 0.1, seed: 23 });
      const warn = await json(['backup', '--date', D4]);
      expect(warn.code, warn.stdout + warn.stderr).toBe(1);
      expect(warn.data.status).toBe('ok');
      expect(warn.data.latest).toBe(`daily/${D4}`);
      expect(warn.data.warnings.join('\n')).toMatch(/offsite push failed \(the local snapshot is fine\): offsite repository rest .*check the network/);
      expect(resticSnaps(repos().local).some((s) => s.tags.includes(`daily/${D4}`))).toBe(true);
    } finally {
      await rest.start();
      f.writeConfig(offsite());
    }
  });

  it('drill --from-offsite fetches the snapshot and drills it', async () => {
    // the default workdir (/var/tmp): Dovecot's uid must be able to enter it, the fixture's temp dir is 0700
    const mine = () => readdirSync('/var/tmp').filter((n) => n.startsWith('mailbackup-offsite-local-'));
    const before = mine();
    const r = await json(['drill', '--from-offsite', 'local']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.data.snapshot).toBe(`daily/${D4}`);
    expect(r.data.phases[0].name).toBe('restore from offsite local');
    expect(r.data.checks.filter((c: { status: string }) => c.status === 'fail')).toEqual([]);
    expect(mine()).toEqual(before); // the fetched copy is removed afterwards
    expect(existsSync(join(f.destRoot, 'drills'))).toBe(true);
  });
});
