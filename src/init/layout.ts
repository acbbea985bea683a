/**
 * What `init` writes as source.mailboxLayout: the layout Dovecot's config states (read from the
 * directory the compose file mounts at /etc/dovecot), checked against the tree under
 * <mail>/vmail; the tree alone when no Dovecot config says; else `auto`. The comment written
 * beside the key says which it was.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { classifyTree, scanTree } from '../mailbox/detect.js';
import { formatLayout, vmailDir } from '../mailbox/layout.js';
import type { Check } from './checks.js';
import { hostDirFor, type Discovery } from './compose.js';
import { layoutFromDovecot, type ConfFile } from './dovecot-layout.js';

export interface LayoutChoice {
  value: string;
  comment: string;
  checks: Check[];
}

const MAX_CONF_BYTES = 1024 * 1024;

/** dovecot.conf first, then conf.d/*.conf and the *.conf.ext files, as Dovecot includes them. */
export function readDovecotConf(dir: string, shownFrom: string): ConfFile[] {
  const list = (d: string, re: RegExp) => {
    try {
      return readdirSync(d).filter((n) => re.test(n)).sort().map((n) => join(d, n));
    } catch {
      return [];
    }
  };
  const paths = [join(dir, 'dovecot.conf'), ...list(join(dir, 'conf.d'), /\.conf$/), ...list(dir, /\.conf\.ext$/), ...list(join(dir, 'conf.d'), /\.conf\.ext$/)];
  const out: ConfFile[] = [];
  for (const p of paths) {
    try {
      if (!existsSync(p) || statSync(p).size > MAX_CONF_BYTES) continue;
      out.push({ path: relative(shownFrom, p) || p, text: readFileSync(p, 'utf8') });
    } catch {
      /* unreadable: Dovecot's config is a hint, the tree is the fact */
    }
  }
  return out;
}

export function chooseLayout(sourceRoot: string, d: Discovery, mailDir: string): LayoutChoice {
  const checks: Check[] = [];
  const vmail = vmailDir(mailDir);
  const tree = classifyTree(scanTree(vmail));
  const treeLayout = tree.layout ? formatLayout(tree.layout) : undefined;
  const confDir = d.dovecot ? hostDirFor(d.dovecot.binds, '/etc/dovecot') : undefined;
  const files = confDir ? readDovecotConf(confDir, sourceRoot) : [];
  const stated = files.length ? layoutFromDovecot(files) : undefined;

  if (stated?.layout) {
    const where = stated.from.join('; ');
    checks.push({ status: 'ok', what: `mailbox layout ${stated.layout} from the Dovecot config (${where})` });
    if (!/\/vmail$/.test(stated.prefix)) {
      checks.push({ status: 'warn', what: `Dovecot keeps mailboxes under ${stated.prefix}/, mailbackup reads them under <source.mail>/vmail/`, detail: 'check source.mail' });
    }
    if (treeLayout && treeLayout !== stated.layout) {
      checks.push({ status: 'warn', what: `the mail tree ${vmail} looks like ${treeLayout}, Dovecot says ${stated.layout}`, detail: 'check source.mailboxLayout' });
    }
    return { value: stated.layout, comment: `from ${where}`, checks };
  }
  if (stated && 'problem' in stated) checks.push({ status: 'warn', what: `the Dovecot config does not say the mailbox layout: ${stated.problem}`, detail: stated.from.join('; ') || undefined });
  if (treeLayout) {
    checks.push({ status: 'ok', what: `mailbox layout ${treeLayout} detected from ${vmail}` });
    return { value: treeLayout, comment: `detected from the tree ${vmail}`, checks };
  }
  const reason = tree.layout ? '' : tree.reason;
  checks.push({ status: 'warn', what: `mailbox layout unknown (${vmail}: ${reason}): left at auto`, detail: 'set source.mailboxLayout to %d/%u, %d/%n, %u or %n (+ /Maildir)' });
  return { value: 'auto', comment: `not found in a Dovecot config nor the tree (${reason}): detected at each restore`, checks };
}
