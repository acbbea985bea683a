/**
 * Real Dovecot for tests: a minimal config over a maildir tree (mail_location=maildir:~ or
 * maildir:~/Maildir, home per user as the generator's layout says, passwd-file userdb) and doveadm.
 * Without a daemon, doveadm finds the user through USER/HOME; with `auth: true` a protocol-less
 * dovecot (master + auth only) runs so `doveadm -u USER` works exactly as in the container.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layoutPaths } from './mailtree.js';
import { waitFor } from './wait.js';

export interface DovecotOptions {
  /** the directory holding vmail/ (source.mail, or a restored copy) */
  mailDir: string;
  users: string[];
  /** the tree's mailbox layout (test/helpers/mailtree.ts); default %d/%u */
  layout?: string;
  /** where the layout starts under mailDir: vmail (default) or "." */
  mailboxRoot?: string;
  /** a user's home when it is not where the layout puts it (a --to copy: the maildir itself) */
  homes?: Record<string, string>;
  uid?: number;
  gid?: number;
  /** run master+auth so `-u USER` works (the docker shim's dovecot container) */
  auth?: boolean;
}

export interface FetchedMessage {
  mailbox: string;
  guid: string;
  flags: string;
}

export interface Dovecot {
  configFile: string;
  /** environment a `docker exec` into the dovecot container needs (CONFIG_FILE) */
  env: Record<string, string>;
  doveadm(user: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  folders(user: string): Promise<string[]>;
  messages(user: string): Promise<FetchedMessage[]>;
  stop(): Promise<void>;
}

function defaultHome(mailDir: string, address: string, layout: string, mailboxRoot: string): string {
  const [local, domain] = address.split('@');
  return join(mailDir, mailboxRoot, layoutPaths(layout, local, domain).home);
}

export async function startDovecot(o: DovecotOptions): Promise<Dovecot> {
  const dir = mkdtempSync(join(tmpdir(), 'mb-dovecot-'));
  const layout = o.layout ?? '%d/%u';
  const sub = /^(?:%d\/)?%[un]\/(.+)$/.exec(layout)?.[1];
  const home = (mailDir: string, u: string) => o.homes?.[u] ?? defaultHome(mailDir, u, layout, o.mailboxRoot ?? 'vmail');
  // a --to copy is a bare maildir: its home is the maildir itself
  const location = sub && !o.homes ? `maildir:~/${sub}` : 'maildir:~';
  const uid = o.uid ?? 5000;
  const gid = o.gid ?? 5000;
  const passwd = join(dir, 'passwd');
  writeFileSync(passwd, o.users.map((u) => `${u}:{PLAIN}x:${uid}:${gid}::${home(o.mailDir, u)}\n`).join(''));
  mkdirSync(join(dir, 'run'));
  const configFile = join(dir, 'dovecot.conf');
  writeFileSync(
    configFile,
    [
      `base_dir = ${dir}/run`,
      `state_dir = ${dir}/state`,
      'log_path = /dev/stderr',
      'protocols =',
      'ssl = no',
      `mail_location = ${location}`,
      `mail_uid = ${uid}`,
      `mail_gid = ${gid}`,
      'first_valid_uid = 0',
      'first_valid_gid = 0',
      'default_internal_user = root',
      'default_login_user = root',
      'namespace inbox {\n  inbox = yes\n  separator = /\n}',
      `passdb {\n  driver = passwd-file\n  args = ${passwd}\n}`,
      `userdb {\n  driver = passwd-file\n  args = ${passwd}\n}`,
      '',
    ].join('\n'),
  );
  let daemon: ChildProcess | undefined;
  if (o.auth) {
    daemon = spawn('dovecot', ['-c', configFile, '-F'], { stdio: 'ignore' });
    const d = daemon;
    process.once('exit', () => d.exitCode === null && d.kill('SIGKILL')); // never leave a master behind
    const deadline = Date.now() + 15_000;
    for (;;) {
      const r = await runDoveadm(['-c', configFile, 'user', o.users[0]], {});
      if (r.code === 0) break;
      if (Date.now() > deadline) throw new Error(`dovecot auth did not come up: ${r.stderr}`);
      await new Promise((res) => setTimeout(res, 100));
    }
  }
  const doveadm = (user: string, args: string[]) => {
    if (o.auth) return runDoveadm(['-c', configFile, ...args.slice(0, 1), '-u', user, ...args.slice(1)], {});
    return runDoveadm(['-c', configFile, ...args], { USER: user, HOME: home(o.mailDir, user) });
  };
  return {
    configFile,
    env: { CONFIG_FILE: configFile },
    doveadm,
    async folders(user) {
      const r = await doveadm(user, ['mailbox', 'list']);
      if (r.code !== 0 || /Error:/.test(r.stderr)) throw new Error(`doveadm mailbox list failed: ${r.stderr}`);
      return r.stdout.split('\n').filter(Boolean).sort();
    },
    async messages(user) {
      const r = await doveadm(user, ['fetch', 'mailbox guid flags', 'ALL']);
      if (r.code !== 0 || /Error:/.test(r.stderr)) throw new Error(`doveadm fetch failed: ${r.stderr}`);
      return parseFetch(r.stdout);
    },
    async stop() {
      if (daemon && daemon.exitCode === null) {
        await runDoveadm(['-c', configFile, 'stop'], {});
        const d = daemon;
        await waitFor(() => d.exitCode !== null || d.signalCode !== null, { timeoutMs: 5_000, what: 'dovecot to stop' }).catch(() => undefined);
        if (daemon.exitCode === null && daemon.signalCode === null) daemon.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** "doveadm fetch" output: records of "key: value" lines separated by a form feed or blank line. */
function parseFetch(out: string): FetchedMessage[] {
  const msgs: FetchedMessage[] = [];
  for (const rec of out.split(/\f\n?|\n\n/)) {
    const get = (k: string) => new RegExp(`^${k}: ?(.*)$`, 'm').exec(rec)?.[1]?.trim();
    const guid = get('guid');
    if (guid) msgs.push({ mailbox: get('mailbox') ?? '', guid, flags: (get('flags') ?? '').replace(/\s*\\Recent/, '').trim() });
  }
  return msgs;
}

function runDoveadm(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('doveadm', args, { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
