/**
 * `source.mailboxLayout: auto`: which layout a vmail/ tree has. The tree is read three levels
 * deep into plain data (scanTree) and judged by a pure function (classifyTree): a layout fits
 * when every home it implies is a maildir (or holds exactly one, the same subdirectory in every
 * home) and the names agree with it (`%u` homes hold an "@", `%n` homes do not). Anything but
 * exactly one fitting layout is refused with the key to set and the candidates.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { LAYOUT_KEY, formatLayout, isMaildir, listMailboxes, parseLayout, type LayoutBase, type MailboxLayout } from './layout.js';

export interface TreeNode {
  name: string;
  /** holds cur/: a maildir */
  cur: boolean;
  children: TreeNode[];
}

/** Names a maildir inside a home goes by; an unusual one must be set in the config. */
const MAILDIR_SUBDIRS = /^(maildir|mail|mails|mailbox)$/i;
const BASES: LayoutBase[] = ['%d/%u', '%d/%n', '%u', '%n'];

function read(dir: string, depth: number): TreeNode[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name);
  } catch {
    return [];
  }
  return names.sort().map((name) => {
    const p = join(dir, name);
    const cur = isMaildir(p);
    return { name, cur, children: depth > 1 && !cur ? read(p, depth - 1) : [] };
  });
}

/** vmail/<1>/<2>/<3>, never below a maildir (its folders say nothing about the layout). */
export function scanTree(vmail: string): TreeNode[] {
  return read(vmail, 3);
}

/** The maildir subdirectory of a home: '' when the home is the maildir, undefined when none fits. */
function maildirOf(home: TreeNode): string | undefined {
  if (home.cur) return '';
  const inner = home.children.filter((c) => c.cur);
  return inner.length === 1 && MAILDIR_SUBDIRS.test(inner[0].name) ? inner[0].name : undefined;
}

function fits(tree: TreeNode[], base: LayoutBase): MailboxLayout | undefined {
  const byDomain = base.startsWith('%d/');
  if (byDomain && tree.some((d) => d.cur || d.name.includes('@'))) return undefined;
  const homes = byDomain ? tree.flatMap((d) => d.children.map((h) => ({ h, domain: d.name }))) : tree.map((h) => ({ h, domain: '' }));
  if (homes.length === 0) return undefined;
  const withAt = base.endsWith('%u');
  for (const { h, domain } of homes) {
    if (withAt !== h.name.includes('@')) return undefined;
    if (base === '%d/%u' && !h.name.toLowerCase().endsWith(`@${domain.toLowerCase()}`)) return undefined;
  }
  const maildir = maildirOf(homes[0].h);
  if (maildir === undefined || homes.some(({ h }) => maildirOf(h) !== maildir)) return undefined;
  // vmail/alice/Maildir is %n/Maildir's home, not a domain "alice" with a user "Maildir"
  if (byDomain && tree.some((d) => d.children.length === 1 && MAILDIR_SUBDIRS.test(d.children[0].name))) return undefined;
  return { base, maildir };
}

export type Classification = { layout: MailboxLayout } | { layout?: undefined; candidates: MailboxLayout[]; reason: string };

export function classifyTree(tree: TreeNode[]): Classification {
  if (tree.length === 0) return { candidates: [], reason: 'it holds no mailbox' };
  const found = BASES.map((b) => fits(tree, b)).filter((l): l is MailboxLayout => l !== undefined);
  if (found.length === 1) return { layout: found[0] };
  if (found.length > 1) return { candidates: found, reason: `it fits ${found.map(formatLayout).join(' and ')} alike` };
  const sample = tree.slice(0, 3).map((d) => d.name + (d.children.length ? `/${d.children[0].name}` : '')).join(', ');
  return { candidates: [], reason: `no layout fits its directories (${sample}, …)` };
}

/** The requirements' layout: what an empty tree is taken to be (it has no mailbox to misplace). */
const DEFAULT_LAYOUT: MailboxLayout = { base: '%d/%u', maildir: '' };

/** `source.mailboxLayout` applied to a tree: the configured layout, or the one the tree shows. */
export function resolveLayout(setting: string, vmail: string): MailboxLayout {
  if (setting !== 'auto') return parseLayout(setting);
  const tree = scanTree(vmail);
  if (tree.length === 0) return DEFAULT_LAYOUT;
  const c = classifyTree(tree);
  if (c.layout) return c.layout;
  const options = c.candidates.length ? c.candidates.map(formatLayout) : ['%d/%u', '%d/%n', '%u', '%n', '%d/%n/Maildir'];
  throw new ConfigError(
    `cannot tell the mailbox layout of ${vmail}: ${c.reason}; set ${LAYOUT_KEY} in the config to the one Dovecot uses (${options.join(', ')})`,
  );
}

/** One user of the tree, for an example command; undefined when there is none or the layout is unclear. */
export function sampleMailbox(setting: string, vmail: string): string | undefined {
  try {
    return listMailboxes(vmail, resolveLayout(setting, vmail))[0]?.user;
  } catch {
    return undefined;
  }
}
