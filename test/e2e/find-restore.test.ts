/**
 * find and restore by filter against a real Dovecot: Japanese mail is delivered by IMAP APPEND,
 * a real IMAP client deletes, moves and flags messages between two backups, and what is
 * restored is checked as the IMAP client sees it (each message once, in its folder).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixture, type Fixture } from '../helpers/fixture.js';
import { IMAP_PASSWORD, startImapServer, type ImapServer } from '../helpers/imap-server.js';
import { plantedMessages } from '../helpers/japanese-mail.js';
import { treeState } from '../helpers/tree-state.js';
import { MAIN_LAYOUTS } from '../helpers/mailtree.js';

let fx: Fixture;
let imap: ImapServer;
const snap = (d: string) => join(fx.destRoot, 'daily', d);

async function client(user: string): Promise<ImapFlow> {
  const c = new ImapFlow({ host: '127.0.0.1', port: imap.port, secure: false, doSTARTTLS: false, auth: { user, pass: IMAP_PASSWORD }, logger: false });
  await c.connect();
  return c;
}

/** subject → how many times the folder shows it, as an IMAP client sees the folder */
async function shown(user: string, folder: string): Promise<Map<string, number>> {
  const c = await client(user);
  const out = new Map<string, number>();
  try {
    const lock = await c.getMailboxLock(folder);
    try {
      if (c.mailbox && c.mailbox.exists > 0) for await (const m of c.fetch('1:*', { envelope: true })) out.set(m.envelope?.subject ?? '', (out.get(m.envelope?.subject ?? '') ?? 0) + 1);
    } finally {
      lock.release();
    }
  } finally {
    await c.logout();
  }
  return out;
}

/** UID of the message with this subject in the folder */
async function uidOf(c: ImapFlow, subject: string): Promise<number> {
  for await (const m of c.fetch('1:*', { envelope: true, uid: true })) if (m.envelope?.subject === subject) return m.uid;
  throw new Error(`no message "${subject}"`);
}

let alice: string;
let bob: string;
const planted = plantedMessages('alice@example.com');

describe.each(MAIN_LAYOUTS)('mailbox layout %s', (layout) => {
  beforeAll(async () => {
    fx = await createFixture({ destination: 'tmpfs', tree: { layout, domains: 1, usersPerDomain: 2, messagesPerFolder: 4 } });
    [alice, bob] = fx.tree.users.map((u) => u.address);
    imap = await startImapServer({ homes: Object.fromEntries(fx.tree.users.map((u) => [u.address, u.mailbox])) });
    fx.shim.setContainer('mailserver-dovecot', { status: 'running', env: imap.env }); // doveadm force-resync after restores
    const a = await client(alice);
    for (const p of Object.values(planted)) await a.append('INBOX', p.raw, ['\\Seen']);
    await a.logout();
    const b = await client(bob);
    await b.append('INBOX', planted.quote.raw); // the same message (same Message-ID) in another mailbox
    await b.logout();
    const r = await fx.run(['backup', '--date', '2026-11-27']);
    expect(r.code, r.stdout + r.stderr).toBe(0);

    // the day after: alice deletes the quote and the memo, moves the report, flags another message
    const c = await client(alice);
    const lock = await c.getMailboxLock('INBOX');
    try {
      await c.messageDelete({ uid: `${await uidOf(c, planted.quote.subject)},${await uidOf(c, planted.memo.subject)}` }, { uid: true });
      await c.messageMove(String(await uidOf(c, planted.progress.subject)), 'Archive', { uid: true });
      await c.messageFlagsAdd('1', ['\\Flagged']);
    } finally {
      lock.release();
    }
    await c.logout();
    const r2 = await fx.run(['backup', '--date', '2026-11-28']);
    expect(r2.code, r2.stdout + r2.stderr).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await imap?.stop();
    await fx?.cleanup();
  });

  describe('the message index', () => {
    it('carries renamed and moved messages forward: the second backup reads no header block', () => {
      const m1 = JSON.parse(readFileSync(join(snap('2026-11-27'), 'backup.json'), 'utf8')).messageIndex;
      const m2 = JSON.parse(readFileSync(join(snap('2026-11-28'), 'backup.json'), 'utf8')).messageIndex;
      expect(m1.messages).toBe(m1.read); // first full: every message read once
      expect(m1.fromCopy).toBe(m1.read); // ... by the read that hashed it as it was copied
      expect(m2.messages).toBe(m1.messages - 2); // two deleted, one moved, one re-flagged
      expect(m2.read).toBe(0);
      const lines = readFileSync(join(snap('2026-11-28'), 'messages.index'), 'utf8');
      expect(lines).toContain('\tArchive\t');
      expect(lines).toMatch(/プロジェクト進捗報告 \(第7週\)/);
    });

    it('is readable with grep and checked by sha256sum -c and verify', async () => {
      const idx = readFileSync(join(snap('2026-11-27'), 'messages.index'), 'utf8');
      const quote = idx.split('\n').filter((l) => l.includes('見積書 第42号'));
      expect(quote).toHaveLength(2); // alice's and bob's copy
      expect(quote[0].split('\t')).toHaveLength(10);
      execFileSync('sha256sum', ['--quiet', '-c', 'messages.index.sha256'], { cwd: snap('2026-11-27') });
      const v = await fx.run(['verify', '2026-11-28']);
      expect(v.code, v.stdout).toBe(0);
      const file = join(snap('2026-11-28'), 'messages.index');
      const good = readFileSync(file);
      writeFileSync(file, good.toString().replace('進捗報告', '進捗報吿'));
      try {
        const bad = await fx.run(['verify', '2026-11-28']);
        expect(bad.code).toBe(2);
        expect(bad.stdout).toMatch(/messages\.index: changed/);
      } finally {
        writeFileSync(file, good);
      }
    });
  });

  describe('find', () => {
    it('finds a message by its Japanese subject: one line, the snapshots it is in', async () => {
      const r = await fx.run(['find', '--subject', '見積書']);
      expect(r.code, r.stderr).toBe(0);
      const rows = r.stdout.split('\n').filter((l) => l.includes('見積書 第42号'));
      expect(rows).toHaveLength(2); // alice's (deleted the next day) and bob's
      expect(rows.find((l) => l.includes(alice))).toMatch(/daily\/2026-11-27 \(1\)/);
      expect(rows.find((l) => l.includes(bob))).toMatch(/daily\/2026-11-27 … daily\/2026-11-28 \(2\)/);
      expect(r.stdout).toContain('経理部 山田 <yamada@example.jp>');
    });

    it('--deleted lists only what is gone from the live mailbox, not the moved or re-flagged', async () => {
      const r = await fx.run(['find', '--user', alice, '--deleted', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout);
      expect(doc.messages.map((m: { subject: string }) => m.subject).sort()).toEqual([planted.memo.subject, planted.quote.subject].sort());
      const memo = doc.messages.find((m: { subject: string }) => m.subject === planted.memo.subject);
      expect(memo).toMatchObject({ messageId: null, user: alice, folder: 'INBOX', from: '佐藤 次郎 <sato@example.jp>', snapshots: { first: 'daily/2026-11-27', last: 'daily/2026-11-27', count: 1 } });
    });

    it('--json by display name and folder: the moved report, last seen in Archive', async () => {
      const r = await fx.run(['find', '--from', '鈴木', '--json']);
      const doc = JSON.parse(r.stdout);
      expect(doc.messages).toHaveLength(1);
      expect(doc.messages[0]).toMatchObject({ messageId: 'progress-7@example.jp', folder: 'Archive', subject: planted.progress.subject, snapshots: { count: 2 } });
    });
  });

  describe('restore mail by filter', () => {
    it('--dry-run lists and changes nothing', async () => {
      const before = treeState(fx.tree.mailDir);
      const r = await fx.run(['restore', 'mail', '--user', alice, '--subject', '見積書', '--in-place', '--dry-run']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/would restore 1, already there 0, not found 0/);
      expect(treeState(fx.tree.mailDir)).toEqual(before);
    });

    it('restores each lost message once, skips the moved one, leaves bob alone; a second run adds nothing', async () => {
      const bobBefore = treeState(join(fx.tree.mailDir, fx.tree.users[1].mailboxRel));
      const r = await fx.run(['restore', 'mail', '--user', alice, '--subject', '見積書', '--in-place', '--yes']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/restored 1 \/ already there 0 \/ not found 0/);
      expect((await shown(alice, 'INBOX')).get(planted.quote.subject)).toBe(1);

      // everything delivered to alice since 2026 (the three planted): the quote is back, the report was moved (in Archive), the memo comes back
      const filter = ['--recipient', alice, '--since', '2026-01-01'];
      const all = await fx.run(['restore', 'mail', '--user', alice, ...filter, '--in-place', '--yes']);
      expect(all.code, all.stdout + all.stderr).toBe(0);
      expect(all.stdout).toMatch(/restored 1 \/ already there 2 \/ not found 0/);
      const inbox = await shown(alice, 'INBOX');
      expect(inbox.get(planted.memo.subject)).toBe(1);
      expect(inbox.get(planted.quote.subject)).toBe(1);
      expect(inbox.get(planted.progress.subject)).toBeUndefined();
      expect((await shown(alice, 'Archive')).get(planted.progress.subject)).toBe(1);

      const again = await fx.run(['restore', 'mail', '--user', alice, ...filter, '--in-place', '--yes']);
      expect(again.stdout).toMatch(/restored 0 \/ already there 3 \/ not found 0/);
      expect(treeState(join(fx.tree.mailDir, fx.tree.users[1].mailboxRel))).toEqual(bobBefore);
    });

    it('--message-id into a new folder, and a Message-ID no snapshot holds is counted as not found', async () => {
      const c = await client(alice);
      const lock = await c.getMailboxLock('Archive');
      try {
        await c.messageDelete({ uid: String(await uidOf(c, planted.progress.subject)) }, { uid: true });
      } finally {
        lock.release();
      }
      await c.logout();
      const r = await fx.run(['restore', 'mail', '--user', alice, '--message-id', '<progress-7@example.jp>', '--in-place', '--into-folder', 'Recovered/2026-11-28', '--yes']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/restored 1 \/ already there 0 \/ not found 0/);
      expect((await shown(alice, 'Recovered/2026-11-28')).get(planted.progress.subject)).toBe(1);
      const taken = await fx.run(['restore', 'mail', '--user', alice, '--message-id', '<progress-7@example.jp>', '--in-place', '--into-folder', 'Recovered/2026-11-28', '--dry-run']);
      expect(taken.code).toBe(64);
      expect(taken.stderr).toMatch(/folder Recovered\/2026-11-28 already exists/);
      const none = await fx.run(['restore', 'mail', '--user', alice, '--message-id', 'nowhere@example.jp', '--in-place', '--yes']);
      expect(none.code).toBe(1);
      expect(none.stdout).toMatch(/restored 0 \/ already there 0 \/ not found 1/);
    });

    it('--to DIR writes a standalone maildir with only the selected messages', async () => {
      const dir = join(fx.base, 'picked');
      const r = await fx.run(['restore', 'mail', '--user', alice, '--subject', 'メモ', '--to', dir]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/restored 1 \//);
      expect(existsSync(join(dir, 'dovecot-uidlist'))).toBe(false);
    });
  });

  describe('mailbackup index (backfill)', () => {
    it('rebuilds the index of a snapshot made without it, byte for byte, and find searches it again', async () => {
      const s = snap('2026-11-27');
      const want = readFileSync(join(s, 'messages.index'), 'utf8');
      rmSync(join(s, 'messages.index'));
      rmSync(join(s, 'messages.index.sha256'));
      const missing = await fx.run(['find', '--subject', '見積書']);
      expect(missing.code).toBe(1);
      expect(missing.stdout).toMatch(/no messages\.index in daily\/2026-11-27/);
      const r = await fx.run(['index']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/daily\/2026-11-27/);
      expect(r.stdout).not.toMatch(/daily\/2026-11-28/);
      expect(readFileSync(join(s, 'messages.index'), 'utf8')).toBe(want);
      const v = await fx.run(['verify', '2026-11-27']);
      expect(v.code, v.stdout).toBe(0);
      const found = await fx.run(['find', '--subject', '見積書']);
      expect(found.code).toBe(0);
    });
  });
});
