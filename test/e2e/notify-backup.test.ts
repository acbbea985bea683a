/**
 * Issue 5 end to end with the built CLI: a failing backup (MariaDB container stopped in the
 * shim) mails the admin through a real SMTP server and pings /start then /2; with SMTP down the
 * exit code stays 2 and the error is on stderr and in the log; `status --notify` mails once,
 * not again an hour later, and once on recovery. No password shows up anywhere.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixture, type Fixture } from '../helpers/fixture.js';
import { startPingServer, type PingServer } from '../helpers/http-ping.js';
import { deadPort, startSmtp, type TestSmtp } from '../helpers/smtp-server.js';

const smtpPassword = `smtp-${randomBytes(8).toString('hex')}`;
const tmp = mkdtempSync(join(tmpdir(), 'mb-notify-e2e-'));
let f: Fixture;
let smtp: TestSmtp;
let pings: PingServer;

function smtpConfig(port: number) {
  const passwordFile = join(tmp, 'smtp-password');
  writeFileSync(passwordFile, smtpPassword + '\n', { mode: 0o600 });
  return { notify: { email: { to: ['admin@example.com'], from: 'backup@example.com', smtp: { host: '127.0.0.1', port, user: 'backup', passwordFile } }, pingUrl: pings.url, pingTimeoutMs: 2000 } };
}

const logFiles = () => readdirSync(join(f.base, 'log')).map((n) => readFileSync(join(f.base, 'log', n), 'utf8')).join('\n');

beforeAll(async () => {
  smtp = await startSmtp({ auth: { user: 'backup', password: smtpPassword } });
  pings = await startPingServer();
  f = await createFixture();
  f.writeConfig(smtpConfig(smtp.port));
  const r = await f.run(['backup', '--date', '2026-11-01']);
  expect(r.code, r.stderr).toBe(0);
});
afterAll(async () => {
  await f?.cleanup();
  await smtp?.close();
  await pings?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('notifications of a real backup run', () => {
  it('sends no mail for a good run, and pings /start then the base URL', () => {
    expect(smtp.messages).toHaveLength(0);
    expect(pings.seen).toEqual(['/start', '']);
  });

  it('mails the failure of a run whose database container is stopped, and pings /2', async () => {
    f.shim.setContainer('mailserver-mariadb', 'stopped');
    pings.seen.length = 0;
    const r = await f.run(['backup', '--date', '2026-11-02']);
    f.shim.setContainer('mailserver-mariadb', 'running');
    expect(r.code).toBe(2);
    expect(smtp.messages).toHaveLength(1);
    const m = smtp.messages[0];
    expect(m.to).toEqual(['admin@example.com']);
    expect(m.user).toBe('backup');
    expect(m.subject).toMatch(new RegExp(`^\\[mailbackup\\] FAILED backup on ${hostname()}: databases — \\S`));
    expect(m.text).toContain('latest -> daily/2026-11-01');
    expect(m.text).toMatch(/Last \d+ log lines/);
    expect(m.text).toMatch(/^\S+ \S+ ERROR /m); // the fixture logs at debug; the tail keeps the errors
    expect(m.text).not.toMatch(/^\S+ \S+ DEBUG /m);
    expect(m.text).toContain('Next step:');
    expect(pings.seen).toEqual(['/start', '/2']);
  });

  it('keeps exit code 2 when the SMTP server is down, with the error on stderr and in the log', async () => {
    f.writeConfig(smtpConfig(await deadPort()));
    f.shim.setContainer('mailserver-mariadb', 'stopped');
    const before = smtp.messages.length;
    const r = await f.run(['backup', '--date', '2026-11-03']);
    f.shim.setContainer('mailserver-mariadb', 'running');
    f.writeConfig(smtpConfig(smtp.port));
    expect(r.code).toBe(2);
    expect(smtp.messages.length).toBe(before);
    expect(r.stderr).toMatch(/could not send the failed mail .*ECONNREFUSED/);
    expect(logFiles()).toMatch(/"msg":"failed mail could not be sent"/);
  });

  it('status --notify mails a failed last run once, not on the next hourly run, and once on recovery', async () => {
    const before = smtp.messages.length;
    const subjects = () => smtp.messages.slice(before).map((m) => m.subject);
    const first = await f.run(['status', '--notify']);
    expect(first.code).toBe(2);
    expect(subjects()).toHaveLength(1);
    expect(subjects()[0]).toMatch(new RegExp(`^\\[mailbackup\\] CRITICAL on ${hostname()}: lastRun — `));
    await f.run(['status', '--notify']);
    expect(subjects()).toHaveLength(1);

    const ok = await f.run(['backup', '--date', '2026-11-04']);
    expect(ok.code, ok.stderr).toBe(0);
    await f.run(['status', '--notify']);
    expect(subjects()[1]).toBe(`[mailbackup] RECOVERED on ${hostname()}: status OK`);
    await f.run(['status', '--notify']);
    expect(subjects()).toHaveLength(2);
  });

  it('leaks neither the SMTP nor the database password into mails, logs or any argv', () => {
    const dbPassword = f.mariadb!.password;
    const argv = JSON.stringify(f.shim.argvLog());
    const places = [logFiles(), argv, ...smtp.messages.flatMap((m) => [m.raw, m.text])];
    for (const text of places) {
      expect(text).not.toContain(smtpPassword);
      expect(text).not.toContain(dbPassword);
    }
  });
});
