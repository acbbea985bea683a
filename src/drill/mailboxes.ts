/**
 * Per-user mailbox and message counts of a mail tree (vmail/ laid out as source.mailboxLayout
 * says, Maildir++), and the Dovecot check: doveadm, run as the mailbox owner with a minimal
 * config, must open every restored mailbox and see the same number of messages.
 */
import { statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { listMailboxes, type MailboxLayout } from '../mailbox/layout.js';
import { listFolderDirs, listMessages } from '../mailbox/maildir.js';
import { doveadm } from '../tools/doveadm.js';
import { which } from '../tools/shell.js';
import type { DrillCheck } from './report.js';

export interface MailboxCount {
  /** INBOX plus every .Folder maildir */
  mailboxes: number;
  messages: number;
  /** the maildir (INBOX) */
  dir: string;
  /** the user's home: the maildir itself, or its parent for a …/Maildir layout */
  home: string;
}

/** `vmail`: the directory the layout starts in (src/mailbox/layout.ts vmailDir). */
export function countMailboxes(vmail: string, layout: MailboxLayout): Map<string, MailboxCount> {
  const out = new Map<string, MailboxCount>();
  for (const e of listMailboxes(vmail, layout)) {
    const dir = join(vmail, e.maildir);
    const folders = listFolderDirs(dir);
    const messages = folders.reduce((n, f) => n + listMessages(dir, f).length, 0);
    out.set(e.user, { mailboxes: folders.length, messages, dir, home: join(vmail, e.home) });
  }
  return out;
}

export function compareCounts(snapshot: Map<string, MailboxCount>, restored: Map<string, MailboxCount>): DrillCheck {
  const diffs: string[] = [];
  for (const [user, s] of snapshot) {
    const r = restored.get(user);
    if (!r) diffs.push(`${user} missing`);
    else if (r.mailboxes !== s.mailboxes || r.messages !== s.messages) {
      diffs.push(`${user}: ${r.mailboxes} mailboxes/${r.messages} messages restored, snapshot has ${s.mailboxes}/${s.messages}`);
    }
  }
  for (const user of restored.keys()) if (!snapshot.has(user)) diffs.push(`${user} not in the snapshot`);
  const total = [...snapshot.values()].reduce((n, c) => n + c.messages, 0);
  return diffs.length
    ? { name: 'mailbox counts', status: 'fail', detail: diffs.join('; ') }
    : { name: 'mailbox counts', status: 'ok', detail: `${snapshot.size} users, ${total} messages, same as the snapshot` };
}

/** The first directory above `dir` that `uid` cannot enter (Dovecot would then see an empty mailbox). */
export function blockedAncestor(dir: string, uid: number, gid: number): string | undefined {
  for (let d = dirname(dir); ; d = dirname(d)) {
    const st = statSync(d);
    const x = st.uid === uid ? st.mode & 0o100 : st.gid === gid ? st.mode & 0o010 : st.mode & 0o001;
    if (!x) return d;
    if (dirname(d) === d) return undefined;
  }
}

/** Sum of `doveadm mailbox status messages '*'` for one maildir, run as its owner. */
async function doveadmCount(workdir: string, user: string, c: MailboxCount, layout: MailboxLayout): Promise<{ mailboxes: number; messages: number } | string> {
  const st = statSync(c.dir);
  if (st.uid === 0) return 'owned by root (Dovecot refuses mail access as root)';
  const blocked = blockedAncestor(c.dir, st.uid, st.gid);
  if (blocked) return `uid ${st.uid} cannot enter ${blocked}: choose a --workdir whose parent directories others may enter (chmod o+x)`;
  const conf = join(workdir, `.dovecot-${st.uid}.conf`);
  writeFileSync(
    conf,
    `mail_location = maildir:~${layout.maildir ? `/${layout.maildir}` : ''}:INDEX=MEMORY\nmail_uid = ${st.uid}\nmail_gid = ${st.gid}\nfirst_valid_uid = 1\nfirst_valid_gid = 1\nssl = no\nlog_path = /dev/stderr\n`,
  );
  const r = await doveadm({ configFile: conf, env: { USER: user, HOME: c.home } }, ['mailbox', 'status', 'messages', '*']);
  if (r.exitCode !== 0) return `doveadm exit ${r.exitCode}: ${r.stderr.trim().split('\n')[0] ?? ''}`;
  const lines = r.stdout.split('\n').map((l) => /^(.*) messages=(\d+)$/.exec(l)).filter((m): m is RegExpExecArray => m !== null);
  return { mailboxes: lines.length, messages: lines.reduce((n, m) => n + Number(m[2]), 0) };
}

export async function doveadmCheck(workdir: string, restored: Map<string, MailboxCount>, layout: MailboxLayout): Promise<DrillCheck> {
  if (!(await which('doveadm'))) {
    return { name: 'doveadm', status: 'warn', detail: 'doveadm is not installed on this host: the Dovecot open check was skipped (install dovecot-core)' };
  }
  const problems: string[] = [];
  for (const [user, c] of restored) {
    const got = await doveadmCount(workdir, user, c, layout);
    if (typeof got === 'string') problems.push(`${user}: ${got}`);
    else if (got.mailboxes !== c.mailboxes || got.messages !== c.messages) {
      problems.push(`${user}: doveadm sees ${got.mailboxes} mailboxes/${got.messages} messages, files say ${c.mailboxes}/${c.messages}`);
    }
  }
  return problems.length
    ? { name: 'doveadm', status: 'fail', detail: problems.join('; ') }
    : { name: 'doveadm', status: 'ok', detail: `Dovecot opened every mailbox of ${restored.size} users` };
}
