/**
 * A deterministic (seeded) generator of a realistic mail-server source.root:
 *   data/mail/vmail/<layout>/ (Maildir++; by default the requirements' vmail/<domain>/<address>/),
 *   data/mail/sieve/<domain>/<user>/,
 *   data/certbot (archive + relative live symlinks), config/opendkim (real keys),
 *   docker-compose.yml, .env (0600), config/{postfix,dovecot,rspamd,clamav}, scripts/, logs/.
 * Same seed → same tree (paths, contents, modes, mtimes), except the crypto keys and
 * certificates: real keys, generated once per domain per process.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { generateCertbot, generateOpendkim } from './mailtree-certs.js';
import { generateConfigFiles } from './mailtree-config.js';
import { generateMailbox, generateSieve, mkdirOwned, type FolderInfo, type Owner } from './mailtree-maildir.js';
import { createRng } from './prng.js';

export { simulateDay, type DayOptions, type DayResult } from './mailtree-activity.js';
export { FOLDERS, VMAIL_UID, VMAIL_GID, type FolderInfo } from './mailtree-maildir.js';
export { COMPOSE_CONTAINERS } from './mailtree-config.js';

export interface MailTreeOptions {
  seed?: number;
  /** number of domains (example.com, example.org, …) */
  domains?: number;
  usersPerDomain?: number;
  /** average messages per folder (± 2); 7 folders per user */
  messagesPerFolder?: number;
  /** share of messages with a 20–200 KB attachment */
  attachmentFraction?: number;
  /** newest message time (ms since epoch); fixed by default so the tree is reproducible */
  until?: number;
  /** chown to vmail 5000:5000 etc.; default: when running as root */
  chown?: boolean;
  /** skip certbot/opendkim key generation (saves ~0.3 s per domain for big benchmark trees) */
  skipKeys?: boolean;
  /**
   * Dovecot-style mailbox layout under vmail/: %d/%u (default, the requirements), %d/%n
   * (docker-mailserver), %u, %n, each optionally + "/Maildir" (home + maildir:~/Maildir).
   * dovecot.conf says the same (mail_location, or a userdb home for the /Maildir forms).
   */
  layout?: string;
  /** where the layout starts under data/mail: vmail (default) or "." (docker-mailserver: no vmail/, Sieve in the homes) */
  mailboxRoot?: string;
  /** domain names instead of example.com, example.org, … (e.g. an xn-- one) */
  domainNames?: string[];
}

/** Both layouts tests that name users run on: the requirements' and docker-mailserver's. */
export const MAIN_LAYOUTS = ['%d/%u', '%d/%n'] as const;
export const ALL_LAYOUTS = ['%d/%u', '%d/%n', '%u', '%n', '%d/%u/Maildir', '%d/%n/Maildir', '%n/Maildir'] as const;

/** The path a layout gives a user's home and maildir, relative to vmail/ (written out here, not taken from src). */
export function layoutPaths(layout: string, local: string, domain: string): { home: string; maildir: string } {
  const m = /^(%d\/%u|%d\/%n|%u|%n)(?:\/(.+))?$/.exec(layout);
  if (!m) throw new Error(`unknown test layout ${layout}`);
  const home = m[1].replace('%d', domain).replace('%u', `${local}@${domain}`).replace('%n', local);
  return { home, maildir: m[2] ? `${home}/${m[2]}` : home };
}

export interface MailUser {
  address: string;
  domain: string;
  local: string;
  /** absolute path of the mailbox (INBOX maildir) */
  mailbox: string;
  /** relative to the mail dir: vmail/<domain>/<address> (or what the layout says) */
  mailboxRel: string;
  /** the user's home, relative to the mail dir (the maildir itself unless the layout has a subdirectory) */
  homeRel: string;
  folders: FolderInfo[];
  messages: number;
}

export interface MailTreeInfo {
  root: string;
  /** <root>/data/mail (source.mail) */
  mailDir: string;
  domains: string[];
  /** the layout it was generated with */
  layout: string;
  users: MailUser[];
  totalMessages: number;
  /** MYSQL_ROOT_PASSWORD in .env (not the throwaway server's password) */
  envPassword: string;
}

const DOMAIN_NAMES = ['example.com', 'example.org', 'example.net', 'example.jp', 'example.co.jp', 'example.io'];
const LOCALS = ['alice', 'bob', 'carol', 'dave', 'eve', 'frank', 'tanaka', 'suzuki', 'yamada', 'sato'];

export function domainName(i: number): string {
  return i < DOMAIN_NAMES.length ? DOMAIN_NAMES[i] : `example${i}.com`;
}
export function localPart(i: number): string {
  return i < LOCALS.length ? LOCALS[i] : `user${i}`;
}

export const DEFAULT_UNTIL = Date.UTC(2025, 5, 1, 6, 0, 0);

export function generateMailTree(root: string, opts: MailTreeOptions = {}): MailTreeInfo {
  const o = {
    seed: 1, domains: 2, usersPerDomain: 3, messagesPerFolder: 10, attachmentFraction: 0.05,
    until: DEFAULT_UNTIL, chown: process.getuid?.() === 0, skipKeys: false, layout: '%d/%u', mailboxRoot: 'vmail', ...opts,
  };
  const rng = createRng(o.seed);
  const owner: Owner = { chown: o.chown };
  const until = Math.floor(o.until / 1000);
  const mailDir = join(root, 'data', 'mail');
  mkdirSync(root, { recursive: true });
  mkdirSync(join(root, 'data'), { recursive: true, mode: 0o755 });
  mkdirOwned(mailDir, 0o755, owner);
  const boxRoot = join(mailDir, o.mailboxRoot);
  const rel = (p: string) => join(o.mailboxRoot, p);
  const sieveInHome = o.mailboxRoot === '.';
  mkdirOwned(boxRoot, o.mailboxRoot === '.' ? 0o755 : 0o700, owner);
  if (!sieveInHome) mkdirOwned(join(mailDir, 'sieve'), 0o700, owner);

  const domains = o.domainNames ?? Array.from({ length: o.domains }, (_, i) => domainName(i));
  const users: MailUser[] = [];
  for (const domain of domains) {
    if (o.layout.startsWith('%d/')) mkdirOwned(join(boxRoot, domain), 0o700, owner);
    if (!sieveInHome) mkdirOwned(join(mailDir, 'sieve', domain), 0o700, owner);
    for (let u = 0; u < o.usersPerDomain; u++) {
      const local = localPart(u);
      const address = `${local}@${domain}`;
      const paths = layoutPaths(o.layout, local, domain);
      const homeRel = rel(paths.home);
      const mailboxRel = rel(paths.maildir);
      mkdirOwned(join(mailDir, homeRel), 0o700, owner);
      const mailbox = join(mailDir, mailboxRel);
      const folders = generateMailbox(rng, { address, mailbox, messagesPerFolder: o.messagesPerFolder, until, attachmentFraction: o.attachmentFraction }, owner);
      generateSieve(sieveInHome ? join(mailDir, homeRel, 'sieve') : join(mailDir, 'sieve', domain, local), address, owner, until - 90 * 86400);
      users.push({ address, domain, local, mailbox, mailboxRel, homeRel, folders, messages: folders.reduce((n, f) => n + f.messages, 0) });
    }
  }

  const { envPassword } = generateConfigFiles(root, domains, rng, owner, until - 120 * 86400, o.layout, o.mailboxRoot);
  if (!o.skipKeys) {
    generateCertbot(join(root, 'data', 'certbot'), domains, owner, until - 20 * 86400);
    generateOpendkim(join(root, 'config', 'opendkim'), domains, owner, until - 200 * 86400);
  }
  return { root, mailDir, domains, layout: o.layout, users, totalMessages: users.reduce((n, u) => n + u.messages, 0), envPassword };
}
