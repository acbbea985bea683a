/**
 * `status --notify` from an hourly cron: one mail for a stale backup, none an hour later,
 * one when the problems change, one on recovery; state under the destination root, or in
 * log.dir while the disk is unmounted; a failed send is retried by the next run.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { createRunLog } from '../../src/log/logger.js';
import { prepareDestination } from '../../src/repository/marker.js';
import { notifyStatus, type StatusReport } from '../../src/notify/status-notify.js';
import { deadPort, startSmtp, type TestSmtp } from '../helpers/smtp-server.js';

const H = 3_600_000;
const t0 = new Date('2026-11-28T09:00:00Z');
const at = (hours: number) => ({ now: new Date(t0.getTime() + hours * H), host: 'mail01' });
const tmp = mkdtempSync(join(tmpdir(), 'mb-notify-status-'));
let smtp: TestSmtp;

beforeAll(async () => {
  smtp = await startSmtp();
});
afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  await smtp.close();
  rmSync(tmp, { recursive: true, force: true });
});

function setup(port = smtp.port, mounted = true) {
  const root = join(mkdtempSync(join(tmp, 'dest-')), 'mailserver');
  if (mounted) prepareDestination(root);
  const logDir = mkdtempSync(join(tmp, 'log-'));
  const config = parseConfig({
    source: { root: '/srv/mail' },
    destination: { root },
    database: {},
    notify: { email: { to: ['admin@example.com'], from: 'backup@example.com', smtp: { host: '127.0.0.1', port } } },
    log: { dir: logDir },
  });
  return { config, root, logDir, log: createRunLog({ dir: logDir, silent: true }).log };
}

const stale = (hours: number): StatusReport => ({
  state: 'CRITICAL',
  problems: [{ key: 'backup-age', state: 'CRITICAL', message: `newest ok snapshot is ${hours} h old` }],
});
const ok: StatusReport = { state: 'OK', problems: [] };

describe('status --notify', () => {
  it('mails once for a stale backup, not an hour later, again when problems change, and once on recovery', async () => {
    const { config, root, log } = setup();
    const before = smtp.messages.length;
    const subjects = () => smtp.messages.slice(before).map((m) => m.subject);

    await notifyStatus(config, stale(27), log, at(0));
    expect(subjects()).toEqual(['[mailbackup] CRITICAL on mail01: backup-age — newest ok snapshot is 27 h old']);
    expect(existsSync(join(root, '.state', 'notify.json'))).toBe(true);

    await notifyStatus(config, stale(28), log, at(1));
    expect(subjects()).toHaveLength(1);

    const worse: StatusReport = { state: 'CRITICAL', problems: [...stale(29).problems, { key: 'disk', state: 'WARNING', message: '91% full' }] };
    await notifyStatus(config, worse, log, at(2));
    expect(subjects()).toHaveLength(2);
    expect(subjects()[1]).toMatch(/CRITICAL on mail01: .*\(\+1 more\) \(changed\)$/);

    await notifyStatus(config, ok, log, at(3));
    expect(subjects()[2]).toBe('[mailbackup] RECOVERED on mail01: status OK');
    await notifyStatus(config, ok, log, at(4));
    expect(subjects()).toHaveLength(3);
  });

  it('reminds after 24 h of the same problem', async () => {
    const { config, log } = setup();
    const before = smtp.messages.length;
    await notifyStatus(config, stale(27), log, at(0));
    await notifyStatus(config, stale(50), log, at(23));
    await notifyStatus(config, stale(51), log, at(24));
    expect(smtp.messages.slice(before).map((m) => m.subject.endsWith('(still, 24 h reminder)'))).toEqual([false, true]);
  });

  it('keeps its state in log.dir while the backup disk is not mounted', async () => {
    const { config, root, logDir, log } = setup(smtp.port, false);
    const before = smtp.messages.length;
    const unmounted: StatusReport = { state: 'CRITICAL', problems: [{ key: 'destination', state: 'CRITICAL', message: 'no .mailbackup marker' }] };
    await notifyStatus(config, unmounted, log, at(0));
    await notifyStatus(config, unmounted, log, at(1));
    expect(smtp.messages.length - before).toBe(1);
    expect(existsSync(root)).toBe(false); // never creates the destination (invariant 4)
    expect(JSON.parse(readFileSync(join(logDir, 'notify-state.json'), 'utf8'))).toMatchObject({ alerting: true, state: 'CRITICAL' });

    // disk back: the newer log.dir state wins, so recovery is mailed once
    prepareDestination(root);
    await notifyStatus(config, ok, log, at(2));
    expect(smtp.messages.slice(before).map((m) => m.subject)).toEqual([
      '[mailbackup] CRITICAL on mail01: destination — no .mailbackup marker',
      '[mailbackup] RECOVERED on mail01: status OK',
    ]);
  });

  it('tries again on the next run when the mail could not be sent', async () => {
    const down = setup(await deadPort());
    const stderr: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => (stderr.push(String(c)), true));
    await notifyStatus(down.config, stale(27), down.log, at(0));
    expect(stderr.join('')).toMatch(/could not send the status mail/);
    vi.restoreAllMocks();

    const before = smtp.messages.length;
    const up = { ...down.config, notify: { ...down.config.notify, email: { ...down.config.notify.email!, smtp: { ...down.config.notify.email!.smtp!, port: smtp.port } } } };
    await notifyStatus(up, stale(28), down.log, at(1));
    expect(smtp.messages.length - before).toBe(1);
  });
});
