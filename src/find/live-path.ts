/** The live mailbox a message of a snapshot belongs to: its maildir under source.mail's layout root. */
import { join, posix } from 'node:path';
import { sourcePath } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { resolveLayout } from '../mailbox/detect.js';
import { vmailDir, type MailboxLayout } from '../mailbox/layout.js';
import { messageOfPath } from '../mailbox/message-path.js';

export interface LiveStore {
  vmail: string;
  layout: MailboxLayout;
  /** the snapshot-relative prefix of message paths: mail/<mailboxRoot>/ */
  prefix: string;
}

export function liveStore(config: Config): LiveStore {
  const vmail = vmailDir(sourcePath(config, config.source.mail), config.source.mailboxRoot);
  return { vmail, layout: resolveLayout(config.source.mailboxLayout, vmail), prefix: posix.join('mail', config.source.mailboxRoot) + '/' };
}

/** The live maildir of the mailbox `snapPath` (a snapshot-relative message path) lies in. */
export function liveMaildirOf(s: LiveStore, snapPath: string): string | undefined {
  if (!snapPath.startsWith(s.prefix)) return undefined;
  const m = messageOfPath(snapPath.slice(s.prefix.length), s.layout);
  return m && join(s.vmail, m.maildir);
}

/** The same message path split: maildir relative to the snapshot, folder directory, sub, name. */
export function splitMessagePath(s: Pick<LiveStore, 'prefix' | 'layout'>, snapPath: string) {
  if (!snapPath.startsWith(s.prefix)) return undefined;
  const m = messageOfPath(snapPath.slice(s.prefix.length), s.layout);
  return m && { ...m, snapMaildir: s.prefix + m.maildir };
}
