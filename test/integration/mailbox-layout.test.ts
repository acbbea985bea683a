/**
 * Every mailbox layout the generator makes (the Dovecot templates of src/mailbox/layout.ts), with
 * source.mailboxLayout left at `auto`: the drill counts each user and real doveadm opens every
 * restored mailbox; `restore mail --user` finds the user's maildir, restores it in place and to a
 * directory, and real Dovecot reads the result.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrillReport } from '../../src/drill/report.js';
import { createFixture, type Fixture } from '../helpers/fixture.js';
import { startDovecot } from '../helpers/dovecot.js';
import { ALL_LAYOUTS } from '../helpers/mailtree.js';
import { dropFakeIndexes, takeSnapshot } from './restore-snapshot.js';

const DATE = '2026-11-27';
const messages = (maildir: string) =>
  ['', ...readdirSync(maildir).filter((n) => n.startsWith('.') && existsSync(join(maildir, n, 'cur')))].flatMap((d) =>
    ['cur', 'new'].flatMap((s) => readdirSync(join(maildir, d, s)).map((n) => join(d, s, n))),
  );

// docker-mailserver keeps <domain>/<user>/ directly in its mail-data directory: no vmail/
const CASES: [string, string][] = [...ALL_LAYOUTS.map((l): [string, string] => [l, 'vmail']), ['%d/%n', '.']];

describe.each(CASES)('layout %s under %s', (layout, mailboxRoot) => {
  let fx: Fixture;
  let work: string;

  beforeAll(async () => {
    fx = await createFixture({
      destination: 'tmpfs',
      mariadb: false,
      tree: { layout, mailboxRoot, domains: 1, usersPerDomain: 2, messagesPerFolder: 3 },
      config: { source: { mailboxRoot }, dovecot: { container: undefined } },
    });
    dropFakeIndexes(fx.tree.mailDir);
    chmodSync(fx.base, 0o755); // doveadm drops to the vmail uid and must reach the mailboxes
    await takeSnapshot(fx, { date: DATE });
    work = mkdtempSync('/var/tmp/mailbackup-layout-test-');
    chmodSync(work, 0o711);
  });
  afterAll(async () => {
    if (work) rmSync(work, { recursive: true, force: true });
    await fx?.cleanup();
  });

  it('the drill counts every user and doveadm opens every restored mailbox', async () => {
    await fx.run(['drill', '--workdir', work]);
    const drills = join(fx.destRoot, 'drills');
    const report = JSON.parse(readFileSync(join(drills, readdirSync(drills).find((n) => n.endsWith('.json'))!), 'utf8')) as DrillReport;
    const byName = Object.fromEntries(report.checks.map((c) => [c.name, c]));
    expect(byName['mailbox counts'], JSON.stringify(report.checks)).toMatchObject({
      status: 'ok',
      detail: `${fx.tree.users.length} users, ${fx.tree.totalMessages} messages, same as the snapshot`,
    });
    expect(byName['doveadm'], JSON.stringify(report.checks)).toMatchObject({ status: 'ok', detail: `Dovecot opened every mailbox of ${fx.tree.users.length} users` });
  });

  it('restore mail --user restores in place and to a directory, and Dovecot reads both', async () => {
    const user = fx.tree.users[1];
    const snapBox = join(fx.destRoot, 'daily', DATE, 'mail', user.mailboxRel);
    const lost = messages(user.mailbox).filter((m) => m.includes('cur/')).slice(0, 2);
    for (const m of lost) unlinkSync(join(user.mailbox, m));

    const r = await fx.run(['restore', 'mail', '--user', user.address, '--in-place', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`mailbox: ${user.mailboxRel} (layout ${layout})`);
    expect(messages(user.mailbox).sort()).toEqual(messages(snapBox).sort());
    const live = await startDovecot({ mailDir: fx.tree.mailDir, users: [user.address], layout, mailboxRoot });
    try {
      expect((await live.messages(user.address)).length).toBe(user.messages);
    } finally {
      await live.stop();
    }

    const out = mkdtempSync(join(tmpdir(), 'mb-layout-to-'));
    try {
      const to = await fx.run(['restore', 'mail', '--user', user.address, '--to', out, '--yes']);
      expect(to.code, to.stderr).toBe(0);
      const copy = await startDovecot({ mailDir: out, users: [user.address], homes: { [user.address]: out } });
      try {
        expect((await copy.messages(user.address)).length).toBe(user.messages);
      } finally {
        await copy.stop();
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('a tree no layout fits', () => {
  let fx: Fixture;
  let work: string;
  beforeAll(async () => {
    fx = await createFixture({ destination: 'tmpfs', mariadb: false, tree: { domains: 1, usersPerDomain: 2, messagesPerFolder: 1 }, config: { dovecot: { container: undefined } } });
    const snap = await takeSnapshot(fx, { date: DATE });
    // a %d/%n mailbox among %d/%u ones: which layout is it?
    for (const d of ['cur', 'new', 'tmp']) mkdirSync(join(snap, 'mail', 'vmail', fx.tree.domains[0], 'carol', d), { recursive: true });
    work = mkdtempSync('/var/tmp/mailbackup-layout-test-');
    chmodSync(work, 0o711);
  });
  afterAll(async () => {
    if (work) rmSync(work, { recursive: true, force: true });
    await fx?.cleanup();
  });

  it('is refused with exit 78 naming source.mailboxLayout, and works once the key is set', async () => {
    const user = fx.tree.users[0];
    const args = ['restore', 'mail', '--user', user.address, '--in-place', '--dry-run'];
    const r = await fx.run(args);
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/cannot tell the mailbox layout of .*vmail: no layout fits .*set source\.mailboxLayout .*\(%d\/%u, %d\/%n, %u, %n, %d\/%n\/Maildir\)/);
    await fx.run(['drill', '--workdir', work]);
    const drills = join(fx.destRoot, 'drills');
    const report = JSON.parse(readFileSync(join(drills, readdirSync(drills).find((n) => n.endsWith('.json'))!), 'utf8')) as DrillReport;
    expect(report.checks.find((c) => c.name === 'mailbox counts')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/source\.mailboxLayout/) });

    fx.writeConfig({ source: { mailboxLayout: '%d/%u' } });
    const ok = await fx.run(args);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`mailbox: ${user.mailboxRel} (layout %d/%u)`);
  });
});
