/**
 * restore mail end to end: a real `mailbackup backup`, mail lost and received afterwards, a merge
 * restore, and Dovecot told about it through the container runtime (`docker exec … doveadm
 * force-resync`, here the docker shim in front of a protocol-less dovecot with its auth service).
 */
import { chmodSync, readdirSync, unlinkSync, writeFileSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixture, type Fixture } from '../helpers/fixture.js';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { MAIN_LAYOUTS } from '../helpers/mailtree.js';
import { dropFakeIndexes } from '../integration/restore-snapshot.js';

describe.each(MAIN_LAYOUTS)('mailbox layout %s', (layout) => {
  let fx: Fixture;
  let dovecot: Dovecot;

  beforeAll(async () => {
    fx = await createFixture({ destination: 'tmpfs', tree: { layout, domains: 1, usersPerDomain: 2, messagesPerFolder: 5 } });
    chmodSync(fx.base, 0o755); // doveadm drops to the vmail uid and must reach the mailboxes
    dropFakeIndexes(fx.tree.mailDir);
    dovecot = await startDovecot({ mailDir: fx.tree.mailDir, users: fx.tree.users.map((u) => u.address), layout, auth: true });
    fx.shim.setContainer('mailserver-dovecot', { status: 'running', env: dovecot.env });
    const b = await fx.run(['backup', '--date', '2026-11-27']);
    expect(b.code, b.stderr).toBe(0);
  });
  afterAll(async () => {
    await dovecot?.stop();
    await fx?.cleanup();
  });

  describe('restore mail after a real backup', () => {
    it('merges lost mail back, resyncs Dovecot in its container, and Dovecot counts old + new exactly once', async () => {
      const user = fx.tree.users[1];
      const before = await dovecot.messages(user.address);
      const inbox = readdirSync(join(user.mailbox, 'cur')).sort();
      for (const n of inbox.slice(0, 2)) unlinkSync(join(user.mailbox, 'cur', n));
      const fresh = join(user.mailbox, 'new', '1800000000.M1P1.mail,S=40,W=42');
      writeFileSync(fresh, 'From: a@example.net\nSubject: after\n\nhi\n', { mode: 0o600 });
      chownSync(fresh, 5000, 5000);
      expect((await dovecot.messages(user.address)).length).toBe(before.length - 1);

      const r = await fx.run(['restore', 'mail', '--user', user.address, '--in-place', '--yes']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/copied 2 message file/);
      expect(fx.shim.argvLog()).toContainEqual(['docker', 'exec', 'mailserver-dovecot', 'doveadm', 'force-resync', '-u', user.address, '*']);

      const after = await dovecot.messages(user.address);
      expect(after.length).toBe(before.length + 1);
      expect(new Set(after.map((m) => `${m.mailbox}\0${m.guid}`)).size).toBe(after.length);
      const flags = (list: typeof before) => Object.fromEntries(list.map((m) => [m.guid, m.flags]));
      const now = flags(after);
      for (const [guid, f] of Object.entries(flags(before))) expect(now[guid], guid).toBe(f);

      const again = await fx.run(['restore', 'mail', '--user', user.address, '--in-place']);
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/nothing to do/);
    });

    it('a Dovecot container that is down leaves the mail restored and says what to run (exit 1)', async () => {
      const user = fx.tree.users[0];
      unlinkSync(join(user.mailbox, 'cur', readdirSync(join(user.mailbox, 'cur')).sort()[0]));
      fx.shim.setContainer('mailserver-dovecot', 'stopped');
      try {
        const r = await fx.run(['restore', 'mail', '--user', user.address, '--in-place', '--yes']);
        expect(r.code, r.stderr).toBe(1);
        expect(r.stdout).toMatch(/copied 1 message file/);
        expect(r.stderr).toContain(`run it by hand: docker exec mailserver-dovecot doveadm force-resync -u ${user.address} '*'`);
      } finally {
        fx.shim.setContainer('mailserver-dovecot', { status: 'running', env: dovecot.env });
      }
    });
  });
});
