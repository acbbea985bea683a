/**
 * What `init` writes as source.mailboxLayout: the layout Dovecot's config states (read from the
 * directory the compose file mounts at /etc/dovecot), checked against the tree under
 * <mail>/vmail; the tree alone when no Dovecot config says; else `auto`. The comment written
 * beside the key says which it was.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { classifyTree, scanTree } from '../mailbox/detect.js';
import { formatLayout, vmailDir } from '../mailbox/layout.js';
import type { Check } from './checks.js';
import { hostDirFor, type Discovery, type Mount } from './compose.js';
import { readDovecotConf } from './dovecot-conf.js';
import { layoutFromDovecot } from './dovecot-layout.js';

export interface LayoutChoice {
  value: string;
  /** source.mailboxRoot: where under the mail store the layout starts */
  mailboxRoot: string;
  comment: string;
  checks: Check[];
}

/** The host directory of Dovecot's path `prefix`, through the container's bind mounts. */
function hostPath(binds: Mount[], prefix: string): string | undefined {
  const b = binds.filter((m) => prefix === m.target || prefix.startsWith(m.target + '/')).sort((x, y) => y.target.length - x.target.length)[0];
  return b && join(b.source, prefix.slice(b.target.length));
}

/** source.mailboxRoot for mailboxes at `host`: relative to the mail store, "." for the store itself. */
function rootUnder(mailDir: string, host: string): string | undefined {
  const rel = relative(mailDir, host);
  if (rel.startsWith('..') || isAbsolute(rel)) return undefined;
  return rel || '.';
}

export function chooseLayout(sourceRoot: string, d: Discovery, mailDir: string): LayoutChoice {
  const checks: Check[] = [];
  const confDir = d.dovecot ? hostDirFor(d.dovecot.binds, '/etc/dovecot') : undefined;
  const files = confDir ? readDovecotConf(confDir, sourceRoot) : [];
  const stated = files.length ? layoutFromDovecot(files) : undefined;

  if (stated?.layout) {
    const where = stated.from.join('; ');
    const host = hostPath(d.dovecot?.binds ?? [], stated.prefix);
    let mailboxRoot = host ? rootUnder(mailDir, host) : undefined;
    if (!mailboxRoot) {
      mailboxRoot = 'vmail';
      checks.push({ status: 'warn', what: `Dovecot keeps mailboxes under ${stated.prefix}/, which is not inside the mail store ${mailDir}`, detail: 'check source.mail and source.mailboxRoot' });
    }
    checks.push({ status: 'ok', what: `mailbox layout ${stated.layout} under ${mailboxRoot} from the Dovecot config (${where})` });
    const tree = classifyTree(scanTree(vmailDir(mailDir, mailboxRoot)));
    if (tree.layout && formatLayout(tree.layout) !== stated.layout) {
      checks.push({ status: 'warn', what: `the mail tree ${vmailDir(mailDir, mailboxRoot)} looks like ${formatLayout(tree.layout)}, Dovecot says ${stated.layout}`, detail: 'check source.mailboxLayout' });
    }
    return { value: stated.layout, mailboxRoot, comment: `from ${where}`, checks };
  }
  if (stated && 'problem' in stated) checks.push({ status: 'warn', what: `the Dovecot config does not say the mailbox layout: ${stated.problem}`, detail: stated.from.join('; ') || undefined });
  // without Dovecot's word: vmail/ when there is one, else the store itself (docker-mailserver)
  const mailboxRoot = existsSync(vmailDir(mailDir, 'vmail')) ? 'vmail' : '.';
  const vmail = vmailDir(mailDir, mailboxRoot);
  const tree = classifyTree(scanTree(vmail));
  if (tree.layout) {
    const found = formatLayout(tree.layout);
    checks.push({ status: 'ok', what: `mailbox layout ${found} detected from ${vmail}` });
    return { value: found, mailboxRoot, comment: `detected from the tree ${vmail}`, checks };
  }
  checks.push({ status: 'warn', what: `mailbox layout unknown (${vmail}: ${tree.reason}): left at auto`, detail: 'set source.mailboxLayout to %d/%u, %d/%n, %u or %n (+ /Maildir)' });
  return { value: 'auto', mailboxRoot, comment: `not found in a Dovecot config nor the tree (${tree.reason}): detected at each restore`, checks };
}
