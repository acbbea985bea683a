/**
 * Copies of one message across snapshots, as one record: the key is the user plus the
 * Message-ID, or plus size and content hash for a message without one. Pure: find.ts feeds it
 * the matching entries snapshot by snapshot, oldest first.
 */
import { baseName } from '../mailbox/maildir.js';
import type { MessageEntry } from '../repository/message-index.js';

export interface FoundCopy {
  snapshot: string;
  /** relative to the snapshot root */
  path: string;
  folder: string;
  sha256: string;
  size: number;
}

export interface FoundMessage {
  key: string;
  user: string;
  messageId: string;
  from: string;
  to: string;
  subject: string;
  deliveredMs: number;
  /** folder in the newest snapshot that holds it */
  folder: string;
  /** snapshot ids holding it, oldest first */
  snapshots: string[];
  /** the copy in the newest snapshot that holds it (restore takes this one) */
  newest: FoundCopy;
  /** maildir base names it has had (renames keep them; a folder move may too) */
  baseNames: string[];
}

function messageKey(e: Pick<MessageEntry, 'user' | 'messageId' | 'size' | 'sha256'>): string {
  return e.messageId ? `${e.user}\0id\0${e.messageId}` : `${e.user}\0sha\0${e.size}\0${e.sha256}`;
}

export class Grouper {
  private readonly byKey = new Map<string, FoundMessage>();

  /** Entries of one snapshot; call snapshot by snapshot, oldest first. */
  add(snapshot: string, e: MessageEntry): void {
    const key = messageKey(e);
    const copy: FoundCopy = { snapshot, path: e.path, folder: e.folder, sha256: e.sha256, size: e.size };
    const base = baseName(e.path.slice(e.path.lastIndexOf('/') + 1));
    const m = this.byKey.get(key);
    if (!m) {
      this.byKey.set(key, { key, user: e.user, messageId: e.messageId, from: e.from, to: e.to, subject: e.subject, deliveredMs: e.deliveredMs, folder: e.folder, snapshots: [snapshot], newest: copy, baseNames: [base] });
      return;
    }
    // two copies in one snapshot (a message in two folders) count as one snapshot
    if (m.snapshots[m.snapshots.length - 1] !== snapshot) m.snapshots.push(snapshot);
    m.newest = copy;
    m.folder = e.folder;
    if (!m.baseNames.includes(base)) m.baseNames.push(base);
  }

  /** By delivery date, then user, then key: the order find prints. */
  messages(): FoundMessage[] {
    return [...this.byKey.values()].sort((a, b) => a.deliveredMs - b.deliveredMs || (a.user < b.user ? -1 : a.user > b.user ? 1 : a.key < b.key ? -1 : 1));
  }
}
