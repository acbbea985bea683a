/**
 * The run mail against a real SMTP server on 127.0.0.1: recipients, subject, body, TLS
 * (STARTTLS and implicit, self-signed), AUTH with a password file, a dead server with a
 * fallback, and the local sendmail path. No password may leak into logs, stderr or the mail.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { createRunLog } from '../../src/log/logger.js';
import { notifyRun, type RunReport } from '../../src/notify/index.js';
import { failedRunReport } from '../helpers/run-report.js';
import { deadPort, selfSignedCert, startSmtp, type TestSmtp } from '../helpers/smtp-server.js';

const tmp = mkdtempSync(join(tmpdir(), 'mb-notify-smtp-'));
const servers: TestSmtp[] = [];
let cert: { key: string; cert: string };

beforeAll(() => {
  cert = selfSignedCert();
});
afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(tmp, { recursive: true, force: true });
});

async function smtp(opts: Parameters<typeof startSmtp>[0] = {}): Promise<TestSmtp> {
  const s = await startSmtp(opts);
  servers.push(s);
  return s;
}

function config(notify: Record<string, unknown>) {
  return parseConfig({ source: { root: '/srv/mail' }, destination: { root: '/mnt/backup' }, database: {}, notify });
}

function runLog() {
  return createRunLog({ dir: mkdtempSync(join(tmp, 'log-')), silent: true });
}

function captureStderr(): { text: () => string } {
  const chunks: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => {
    chunks.push(String(c));
    return true;
  });
  return { text: () => chunks.join('') };
}

/** The shared failed report, with the times and log lines these mails were written against. */
function failed(over: Partial<RunReport> = {}): RunReport {
  return failedRunReport({
    latest: { id: 'daily/2026-11-27', finishedAt: '2026-11-27T03:21:00Z' },
    logLines: Array.from({ length: 60 }, (_, i) => `2026-11-28 03:0${i % 10}:00 INFO step ${i + 1} done`),
    destinationRoot: '/mnt/backup',
    finishedAt: '2026-11-28T03:21:00Z',
    ...over,
  });
}

const to = ['admin@example.com', 'ops@example.net'];
const from = 'backup@mail.example.com';

describe('run mail over SMTP', () => {
  it('sends the failure mail to every recipient with subject, cause, what is safe and the log tail', async () => {
    const s = await smtp();
    await notifyRun(config({ email: { to, from, smtp: { host: '127.0.0.1', port: s.port } } }), failed(), runLog().log);
    expect(s.messages).toHaveLength(1);
    const m = s.messages[0];
    expect(m.from).toBe(from);
    expect(m.to).toEqual(to);
    expect(m.headers.to).toBe(to.join(', '));
    expect(m.subject).toBe('[mailbackup] FAILED backup on mail01: databases — usermgmt dump exited 2');
    expect(m.headers['auto-submitted']).toBe('auto-generated');
    expect(m.text).toContain('databases: usermgmt dump exited 2');
    expect(m.text).toContain('latest -> daily/2026-11-27, finished 2026-11-27T03:21:00Z (24 h ago)');
    expect(m.text).toContain('Next step:');
    expect(m.text).toContain('INFO step 60 done');
    expect(m.text).toContain('INFO step 11 done');
    expect(m.text).not.toContain('INFO step 10 done');
  });

  it('sends nothing on success unless onSuccess is set', async () => {
    const s = await smtp();
    const ok = failed({ exitCode: 0, failures: [] });
    const smtpConf = { host: '127.0.0.1', port: s.port };
    await notifyRun(config({ email: { to, from, smtp: smtpConf } }), ok, runLog().log);
    expect(s.messages).toHaveLength(0);
    await notifyRun(config({ email: { to, from, smtp: smtpConf, onSuccess: true } }), ok, runLog().log);
    expect(s.messages.map((m) => m.subject)).toEqual(['[mailbackup] OK backup on mail01: daily/2026-11-28']);
  });

  it('upgrades with STARTTLS to a self-signed server only when allowSelfSigned is set', async () => {
    const s = await smtp({ tls: cert });
    const err = captureStderr();
    const run = runLog();
    const base = { host: '127.0.0.1', port: s.port, requireTls: true };
    await notifyRun(config({ email: { to, from, smtp: base } }), failed(), run.log);
    expect(s.messages).toHaveLength(0);
    expect(err.text()).toMatch(/could not send the failed mail .*certificate/);
    expect(run.lines.join('\n')).toMatch(/ERROR failed mail could not be sent/);

    await notifyRun(config({ email: { to, from, smtp: { ...base, allowSelfSigned: true } } }), failed(), runLog().log);
    expect(s.messages).toHaveLength(1);
    expect(s.messages[0].secure).toBe(true);
  });

  it('speaks implicit TLS (port 465 style)', async () => {
    const s = await smtp({ tls: cert, secure: true });
    await notifyRun(
      config({ email: { to, from, smtp: { host: '127.0.0.1', port: s.port, secure: true, allowSelfSigned: true } } }),
      failed(),
      runLog().log,
    );
    expect(s.messages.map((m) => m.secure)).toEqual([true]);
  });

  it('authenticates with the password from passwordFile and leaks it nowhere', async () => {
    const password = `pw-${randomBytes(9).toString('hex')}`;
    const s = await smtp({ tls: cert, auth: { user: 'backup', password } });
    const passwordFile = join(tmp, 'smtp-password');
    writeFileSync(passwordFile, password + '\n', { mode: 0o600 });
    const err = captureStderr();
    const run = runLog();
    const smtpConf = { host: '127.0.0.1', port: s.port, requireTls: true, allowSelfSigned: true, user: 'backup', passwordFile };
    await notifyRun(config({ email: { to, from, smtp: smtpConf } }), failed(), run.log);
    expect(s.messages).toHaveLength(1);
    expect(s.messages[0].user).toBe('backup');
    expect(s.logins).toEqual([{ user: 'backup', password }]);

    // a wrong password is a failed send, reported without the password
    writeFileSync(passwordFile, 'wrong-' + password);
    await notifyRun(config({ email: { to, from, smtp: smtpConf } }), failed(), run.log);
    expect(s.messages).toHaveLength(1);
    expect(err.text()).toMatch(/could not send .*(Invalid|535)/);

    const everything = [readFileSync(run.file!, 'utf8'), run.lines.join('\n'), err.text(), s.messages[0].raw, s.messages[0].text];
    for (const text of everything) expect(text).not.toContain(password);
  });

  it('falls back to the second transport when the SMTP server is down, and says so on stderr and in the log', async () => {
    const fallback = await smtp();
    const down = await deadPort();
    const err = captureStderr();
    const run = runLog();
    const c = config({
      email: { to, from, smtp: { host: '127.0.0.1', port: down } },
      fallbackEmail: { to: ['pager@example.org'], from, smtp: { host: '127.0.0.1', port: fallback.port } },
    });
    await expect(notifyRun(c, failed(), run.log)).resolves.toBeUndefined();
    expect(fallback.messages.map((m) => m.to)).toEqual([['pager@example.org']]);
    expect(fallback.messages[0].subject).toContain('FAILED backup on mail01');
    expect(err.text()).toContain(`via email smtp 127.0.0.1:${down}: connect ECONNREFUSED`);
    const logged = readFileSync(run.file!, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const error = logged.find((r) => r.level === 50);
    expect(error).toMatchObject({ msg: 'failed mail could not be sent', channel: `email smtp 127.0.0.1:${down}`, runId: run.runId });
    expect(logged.find((r) => String(r.msg).startsWith('failed mail sent to '))?.channel).toBe(`fallbackEmail smtp 127.0.0.1:${fallback.port}`);
  });

  it('resolves when every transport is down, with the error on stderr', async () => {
    const err = captureStderr();
    const c = config({ email: { to, from, smtp: { host: '127.0.0.1', port: await deadPort() } } });
    await expect(notifyRun(c, failed(), runLog().log)).resolves.toBeUndefined();
    expect(err.text()).toMatch(/no transport left/);
  });
});

describe('run mail through a sendmail binary', () => {
  function fakeSendmail(exitCode = 0): { bin: string; dir: string } {
    const dir = mkdtempSync(join(tmp, 'sendmail-'));
    const bin = join(dir, 'sendmail');
    writeFileSync(bin, `#!/bin/sh\nprintf '%s\\n' "$@" > "${dir}/argv"\ncat > "${dir}/message"\n[ ${exitCode} -eq 0 ] || echo "queue full" >&2\nexit ${exitCode}\n`);
    chmodSync(bin, 0o755);
    return { bin, dir };
  }

  it('pipes the message on stdin with the envelope in argv', async () => {
    const { bin, dir } = fakeSendmail();
    await notifyRun(config({ email: { to, from, sendmail: bin } }), failed(), runLog().log);
    expect(readFileSync(join(dir, 'argv'), 'utf8').trim().split('\n')).toEqual(['-i', '-f', from, '--', ...to]);
    const raw = readFileSync(join(dir, 'message'), 'utf8');
    expect(raw).toMatch(/^Subject: /m);
    expect(raw).toMatch(/^To: admin@example.com, ops@example.net$/m);
  });

  it('falls back to SMTP when sendmail fails', async () => {
    const s = await smtp();
    const { bin } = fakeSendmail(75);
    const err = captureStderr();
    const c = config({
      email: { to, from, sendmail: bin },
      fallbackEmail: { to, from, smtp: { host: '127.0.0.1', port: s.port } },
    });
    await notifyRun(c, failed(), runLog().log);
    expect(err.text()).toMatch(/exited 75: queue full/);
    expect(s.messages).toHaveLength(1);
  });
});
