/**
 * A real Dovecot IMAP server (Debian dovecot-imapd) over a maildir tree, for live-traffic tests:
 * `dovecot -c CONF -F` with passwd-file auth (every user's password is `secret`), each user's home
 * given explicitly (any mailbox layout), mail_location = maildir:~, listening on 127.0.0.1 only,
 * base_dir and state in a temp dir. Stopped (and killed if need be) by stop() or at process exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { freePort } from './net.js';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const IMAP_PASSWORD = 'secret';

export interface ImapServerOptions {
  /** address → home (the user's INBOX maildir) */
  homes: Record<string, string>;
  uid?: number;
  gid?: number;
}

export interface ImapServer {
  port: number;
  configFile: string;
  /** what `docker exec` into the dovecot container needs so doveadm talks to this server */
  env: Record<string, string>;
  stop(): Promise<void>;
}

async function waitForGreeting(port: number, deadline: number): Promise<void> {
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = createConnection({ host: '127.0.0.1', port });
      c.once('data', (d) => { c.destroy(); resolve(d.toString().startsWith('* OK')); });
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`dovecot did not answer on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** mail_uid must reach each home: test temp dirs are 0700 root, a server's /srv is not */
function makeTraversable(home: string): void {
  for (let d = dirname(home); d !== dirname(d); d = dirname(d)) {
    const st = statSync(d);
    if (st.uid === 0 && (st.mode & 0o001) === 0) chmodSync(d, (st.mode & 0o7777) | 0o011);
  }
}

export async function startImapServer(o: ImapServerOptions): Promise<ImapServer> {
  for (const home of Object.values(o.homes)) makeTraversable(home);
  const dir = mkdtempSync(join(tmpdir(), 'mb-imap-'));
  chmodSync(dir, 0o755); // the login processes run as dovenull and must reach base_dir
  const uid = o.uid ?? 5000;
  const gid = o.gid ?? 5000;
  const passwd = join(dir, 'passwd');
  writeFileSync(passwd, Object.entries(o.homes).map(([u, h]) => `${u}:{PLAIN}${IMAP_PASSWORD}:${uid}:${gid}::${h}\n`).join(''));
  mkdirSync(join(dir, 'run'));
  const port = await freePort();
  const configFile = join(dir, 'dovecot.conf');
  writeFileSync(configFile, [
    `base_dir = ${dir}/run`,
    `state_dir = ${dir}/state`,
    `log_path = ${dir}/dovecot.log`,
    'protocols = imap',
    'listen = 127.0.0.1',
    'ssl = no',
    'disable_plaintext_auth = no',
    'auth_mechanisms = plain login',
    'mail_location = maildir:~',
    `mail_uid = ${uid}`,
    `mail_gid = ${gid}`,
    'first_valid_uid = 1',
    'mail_max_userip_connections = 100',
    'namespace inbox {\n  inbox = yes\n  separator = /\n}',
    `passdb {\n  driver = passwd-file\n  args = ${passwd}\n}`,
    `userdb {\n  driver = passwd-file\n  args = ${passwd}\n}`,
    `service imap-login {\n  inet_listener imap {\n    address = 127.0.0.1\n    port = ${port}\n  }\n  inet_listener imaps {\n    port = 0\n  }\n}`,
    '',
  ].join('\n'));
  const daemon: ChildProcess = spawn('dovecot', ['-c', configFile, '-F'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  daemon.stderr!.on('data', (d) => (stderr += d));
  const kill = () => daemon.exitCode === null && daemon.kill('SIGKILL');
  process.once('exit', kill); // never leave a master behind
  try {
    await waitForGreeting(port, Date.now() + 20_000);
  } catch (err) {
    kill();
    throw new Error(`${(err as Error).message}: ${stderr}`);
  }
  return {
    port,
    configFile,
    env: { CONFIG_FILE: configFile },
    async stop() {
      if (daemon.exitCode === null) {
        daemon.kill('SIGTERM');
        await new Promise((res) => {
          const t = setTimeout(() => { kill(); res(undefined); }, 3000);
          daemon.once('exit', () => { clearTimeout(t); res(undefined); });
        });
      }
      process.removeListener('exit', kill);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
