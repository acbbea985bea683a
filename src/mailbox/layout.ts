/**
 * Where each user's maildir lies under the mail store's vmail/ directory, written as Dovecot
 * writes it: `%d/%u` (vmail/example.com/alice@example.com, the requirements' layout), `%d/%n`
 * (vmail/example.com/alice, docker-mailserver), `%u`, `%n`, each optionally followed by the
 * maildir inside the home (`%d/%n/Maildir` for home=…/%d/%n + mail_location=maildir:~/Maildir).
 * This module is the one mapping address ⇄ directory; every command goes through it.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { domainToASCII } from 'node:url';
import { UsageError } from '../errors.js';

/**
 * Where the layout starts: source.mailboxRoot under the mail store (source.mail, or the
 * snapshot's mail/): vmail/ by default, "." when the store is the mailbox root (docker-mailserver).
 */
export function vmailDir(mailRoot: string, mailboxRoot: string): string {
  return join(mailRoot, mailboxRoot);
}

export type LayoutBase = '%d/%u' | '%d/%n' | '%u' | '%n';

export interface MailboxLayout {
  base: LayoutBase;
  /** the maildir inside the home ('' = the home is the maildir), e.g. "Maildir" */
  maildir: string;
}

/** The value of `source.mailboxLayout` other than `auto`. */
export const LAYOUT_PATTERN = /^(%d\/%u|%d\/%n|%u|%n)((\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*)$/;
export const LAYOUT_KEY = 'source.mailboxLayout';

export function parseLayout(value: string): MailboxLayout {
  const m = LAYOUT_PATTERN.exec(value);
  if (!m) throw new UsageError(`${LAYOUT_KEY} "${value}" is not a layout like %d/%u, %d/%n, %u, %n or %d/%n/Maildir`);
  return { base: m[1] as LayoutBase, maildir: m[2].replace(/^\//, '') };
}

export function formatLayout(l: MailboxLayout): string {
  return l.maildir ? `${l.base}/${l.maildir}` : l.base;
}

export interface Address {
  /** as stored: local@domain with the domain lower-case and in its xn-- form */
  address: string;
  local: string;
  domain: string;
}

/** The domain as Dovecot stores it: lower case, IDNA (例え.jp → xn--r8jz45g.jp). */
function storedDomain(domain: string): string {
  const ascii = domainToASCII(domain.toLowerCase());
  if (!ascii) throw new UsageError(`"${domain}" is not a valid domain name`);
  return ascii;
}

export function toAddress(local: string, domain: string): Address {
  const d = storedDomain(domain);
  return { address: `${local}@${d}`, local, domain: d };
}

/** The user's home relative to vmail/ (the directory a restore of a whole mailbox swaps). */
export function homeRel(l: MailboxLayout, a: Address): string {
  switch (l.base) {
    case '%d/%u':
      return join(a.domain, a.address);
    case '%d/%n':
      return join(a.domain, a.local);
    case '%u':
      return a.address;
    case '%n':
      return a.local;
  }
}

/** The user's maildir (INBOX) relative to vmail/. */
export function maildirRel(l: MailboxLayout, a: Address): string {
  return l.maildir ? join(homeRel(l, a), l.maildir) : homeRel(l, a);
}

export interface MailboxEntry {
  /** the address the tree says (for %n: the local part alone, the tree holds no domain) */
  user: string;
  /** relative to vmail/ */
  home: string;
  maildir: string;
}

const subdirs = (p: string): string[] => {
  try {
    return readdirSync(p, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name).sort();
  } catch {
    return [];
  }
};

export function isMaildir(p: string): boolean {
  try {
    return statSync(join(p, 'cur')).isDirectory();
  } catch {
    return false;
  }
}

/** Every mailbox under vmail/ laid out as `l` says, sorted by user. */
export function listMailboxes(vmail: string, l: MailboxLayout): MailboxEntry[] {
  const homes: { user: string; home: string }[] = [];
  if (l.base === '%u' || l.base === '%n') {
    for (const h of subdirs(vmail)) homes.push({ user: h, home: h });
  } else {
    for (const d of subdirs(vmail)) {
      for (const h of subdirs(join(vmail, d))) homes.push({ user: l.base === '%d/%u' ? h : `${h}@${d}`, home: join(d, h) });
    }
  }
  return homes
    .map((h) => ({ ...h, maildir: l.maildir ? join(h.home, l.maildir) : h.home }))
    .filter((h) => isMaildir(join(vmail, h.maildir)))
    .sort((a, b) => (a.user < b.user ? -1 : a.user > b.user ? 1 : 0));
}

/**
 * The mailbox of `a` in the tree: its own path, else the one entry whose name differs only in
 * case (Dovecot setups that lower-case %u store Alice@ as alice@).
 */
export function findMailbox(vmail: string, l: MailboxLayout, a: Address): MailboxEntry | undefined {
  const exact = maildirRel(l, a);
  if (isMaildir(join(vmail, exact))) return { user: l.base === '%n' ? a.local : a.address, home: homeRel(l, a), maildir: exact };
  const key = (l.base === '%n' ? a.local : a.address).toLowerCase();
  const hits = listMailboxes(vmail, l).filter((e) => e.user.toLowerCase() === key);
  return hits.length === 1 ? hits[0] : undefined;
}
