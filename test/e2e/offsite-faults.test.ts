/**
 * Offsite faults, real ones: the REST server (rclone serve restic) killed before and during a
 * push, a wrong password, an append-only server refusing retention, and the repository
 * passwords never reaching any process's argv (/proc/<pid>/cmdline sampled during a push), the
 * logs or the mails (a real SMTP server captures them).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixture, type Fixture } from '../helpers/fixture.js';
import { simulateDay } from '../helpers/mailtree.js';
import { startRestServer, type RestServer } from '../helpers/restic-server.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp-server.js';
import { diffStates, treeState } from '../helpers/tree-state.js';

let f: Fixture;
let rest: RestServer;
let appendOnly: RestServer;
let smtp: TestSmtp;
let tmp: string;
const day = (back: number) => new Date(Date.now() - back * 86_400_000).toISOString().slice(0, 10);
const [D1, D2] = [day(1), day(0)];

const repos = () => ({
  rest: { name: 'rest', url: rest.url, passwordFile: join(tmp, 'rest.pass') },
  appendonly: { name: 'appendonly', url: appendOnly.url, passwordFile: join(tmp, 'appendonly.pass') },
  local: { name: 'local', url: join(tmp, 'local-repo'), passwordFile: join(tmp, 'local.pass') },
  wrong: { name: 'wrong', url: join(tmp, 'local-repo'), passwordFile: join(tmp, 'wrong.pass') },
});
const writeOffsite = (over: Record<string, unknown> = {}) =>
  f.writeConfig({ offsite: { after: 'never', repositories: Object.values(repos()), ...over } });
const run = (args: string[]) => f.run(args, { XDG_CACHE_HOME: join(tmp, 'cache') });
const passwords = () => Object.values(repos()).map((r) => readFileSync(r.passwordFile, 'utf8').trim());
const snapshotsTree = () => treeState(join(f.destRoot, 'daily'));
function resticSnapshotTags(repo: { url: string; passwordFile: string }): string[] {
  const out = execFileSync('restic', ['snapshots', '--json'], { env: { ...process.env, RESTIC_REPOSITORY: repo.url, RESTIC_PASSWORD_FILE: repo.passwordFile, XDG_CACHE_HOME: join(tmp, 'cache') }, encoding: 'utf8' });
  return (JSON.parse(out) as { tags: string[] }[]).map((s) => s.tags.find((t) => t !== 'mailbackup')!);
}

beforeAll(async () => {
  f = await createFixture({ tree: { domains: 1, usersPerDomain: 2, messagesPerFolder: 4, attachmentFraction: 0.5 } });
  tmp = join(f.base, 'offsite');
  rest = await startRestServer(join(tmp, 'rest-data'));
  appendOnly = await startRestServer(join(tmp, 'append-data'), { appendOnly: true });
  smtp = await startSmtp();
  f.writeConfig({ notify: { email: { to: ['admin@example.com'], from: 'backup@example.com', smtp: { host: '127.0.0.1', port: smtp.port } } } });
  const r = await f.run(['backup', '--date', D1]);
  expect(r.code, r.stderr).toBe(0);
  writeOffsite();
  for (const name of ['rest', 'appendonly', 'local']) {
    const init = await run(['offsite', 'init', '--repo', name]);
    expect(init.code, init.stdout + init.stderr).toBe(0);
  }
  // 'wrong' opens local's repository with another password
  writeFileSync(repos().wrong.passwordFile, 'not-the-password-of-this-repository\n', { mode: 0o600 });
}, 120_000);
afterAll(async () => {
  await rest?.stop();
  await appendOnly?.stop();
  await smtp?.close();
  await f?.cleanup();
});

describe('offsite faults', () => {
  it('a server stopped before the push: exit 2 naming the repository and what to check; snapshots untouched; mailed', async () => {
    await rest.stop();
    try {
      const before = snapshotsTree();
      const mails = smtp.messages.length;
      const r = await run(['offsite', 'push', '--repo', 'rest']);
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toContain(`offsite repository rest (${rest.url})`);
      expect(r.stderr).toContain('check the network, the server and the URL');
      expect(diffStates(before, snapshotsTree())).toEqual([]);
      const mail = smtp.messages.slice(mails);
      expect(mail).toHaveLength(1);
      expect(mail[0].subject).toMatch(/FAILED/);
      expect(mail[0].text).toContain('offsite repository rest');
      const status = JSON.parse((await run(['--json', 'status'])).stdout);
      expect(status.problems).toContainEqual(expect.objectContaining({ key: 'offsite.rest.push', state: 'WARNING' }));
    } finally {
      await rest.start();
    }
  });

  it('a server killed during the push: exit 2; the next push completes the copy', async () => {
    const before = snapshotsTree();
    const child = f.start(['offsite', 'push', '--repo', 'rest'], { XDG_CACHE_HOME: join(tmp, 'cache') });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
    // restic takes its repository lock before it reads a file: kill the server then
    const locks = join(rest.dir, 'locks');
    let killed = false;
    while (!killed) {
      if (readdirSync(locks).length > 0) {
        await rest.stop();
        killed = true;
      } else await new Promise((r) => setTimeout(r, 5));
    }
    const code = await exited;
    expect(code, stderr).toBe(2);
    expect(stderr).toContain('offsite repository rest');
    expect(diffStates(before, snapshotsTree())).toEqual([]);
    await rest.start();
    const again = await run(['offsite', 'push', '--repo', 'rest']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(resticSnapshotTags(repos().rest)).toEqual([`daily/${D1}`]);
    const status = JSON.parse((await run(['--json', 'status'])).stdout);
    expect(status.problems.filter((p: { key: string }) => p.key.startsWith('offsite.rest'))).toEqual([]);
  }, 240_000);

  it('a wrong password: exit 2 saying to check the password file, without the password', async () => {
    const r = await run(['offsite', 'push', '--repo', 'wrong']);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain('offsite repository wrong');
    expect(r.stderr).toContain('wrong password or no key found');
    expect(r.stderr).toContain('check the password file');
    expect(r.stderr).not.toContain('not-the-password-of-this-repository');
    const list = await run(['offsite', 'list', '--repo', 'wrong']);
    expect(list.code).toBe(2);
  });

  it('an append-only server: the push succeeds, retention is refused with exit 1 and a warning', async () => {
    const first = await run(['offsite', 'push', '--repo', 'appendonly']);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    simulateDay(f.sourceRoot, { newFraction: 0.1, seed: 31 });
    const b = await f.run(['backup', '--date', D2]);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).not.toContain('file=restic'); // after: never: the backup does not run restic at all
    writeOffsite({ retention: { daily: 1, weekly: 0, monthly: 0 } });
    try {
      const r = await run(['--json', 'offsite', 'push', '--repo', 'appendonly']);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      const out = JSON.parse(r.stdout);
      expect(out.results[0].retention).toBe('refused');
      expect(out.results[0].warnings[0]).toMatch(/offsite repository appendonly .* it is append-only .* its retention must run elsewhere/);
      expect(resticSnapshotTags(repos().appendonly).sort()).toEqual([`daily/${D1}`, `daily/${D2}`]);
    } finally {
      writeOffsite();
    }
  }, 240_000);

  it('the passwords never reach any argv, log or mail', async () => {
    const secret = passwords();
    const seen = new Set<string>();
    const sample = () => {
      for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
        try {
          seen.add(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '));
        } catch {
          /* the process ended while we looked */
        }
      }
    };
    const child = f.start(['offsite', 'push', `daily/${D2}`, '--repo', 'local'], { XDG_CACHE_HOME: join(tmp, 'cache') });
    const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
    let done = false;
    void exited.then(() => (done = true));
    while (!done) {
      sample();
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(await exited).toBe(0);
    const restic = [...seen].filter((c) => /^restic .*backup \. /.test(c));
    expect(restic.length, 'no restic backup process was sampled').toBeGreaterThan(0);
    for (const cmd of seen) for (const s of secret) expect(cmd).not.toContain(s);

    const logDir = join(f.base, 'log');
    const logs = readdirSync(logDir).map((n) => readFileSync(join(logDir, n), 'utf8')).join('\n');
    expect(logs).toContain('pushed');
    expect(smtp.messages.length).toBeGreaterThan(0);
    const mails = smtp.messages.map((m) => m.raw).join('\n');
    for (const s of secret) {
      expect(logs).not.toContain(s);
      expect(mails).not.toContain(s);
    }
  });
});
