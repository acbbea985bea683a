/**
 * The own log file: one JSON line per record with the run id, 30 days kept by pruneLogs,
 * and no secret in any line; the shipped logrotate file rotates the cron output file only.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRunLog, logFileName } from '../../src/log/logger.js';
import { pruneLogs } from '../../src/log/retention.js';

const tmp = mkdtempSync(join(tmpdir(), 'mb-notify-logs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const DAY = 86_400_000;
const now = new Date('2026-11-28T03:00:00Z');
const dayName = (daysAgo: number) => logFileName(new Date(now.getTime() - daysAgo * DAY));

describe('log files', () => {
  it('removes mailbackup-*.log files older than 30 days and keeps the rest', () => {
    const dir = mkdtempSync(join(tmp, 'prune-'));
    const ages = [0, 1, 29, 30, 31, 45, 400];
    for (const a of ages) writeFileSync(join(dir, dayName(a)), '{}\n');
    writeFileSync(join(dir, 'cron.log'), 'not ours\n');
    writeFileSync(join(dir, 'notify-state.json'), '{}\n');

    const removed = pruneLogs(dir, 30, now);
    expect(removed).toEqual([dayName(400), dayName(45), dayName(31)].sort());
    expect(readdirSync(dir).sort()).toEqual(
      [...[0, 1, 29, 30].map(dayName), 'cron.log', 'notify-state.json'].sort(),
    );
    expect(pruneLogs(dir, 30, now)).toEqual([]);
    expect(pruneLogs(join(dir, 'missing'), 30, now)).toEqual([]);
  });

  it('writes JSON lines carrying the run id, with passwords redacted', () => {
    const dir = mkdtempSync(join(tmp, 'log-'));
    const secret = 'S3cret-smtp-pw-4711';
    const dbSecret = 'db-pw-0815-secret';
    const run = createRunLog({ dir, silent: true });
    run.log.info({ step: 'notify', smtp: { host: 'mx', auth: { user: 'backup', pass: secret } } }, 'smtp configured');
    run.log.info({ step: 'databases', env: { MYSQL_PWD: dbSecret } }, 'dump started');
    run.log.info({ step: 'databases', child: { env: { MYSQL_PWD: dbSecret } } }, 'nested env');
    run.log.info({ password: secret, db: { password: dbSecret } }, 'credentials read');
    const text = readFileSync(run.file!, 'utf8');
    const records = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toHaveLength(4);
    for (const r of records) expect(r.runId).toBe(run.runId);
    for (const out of [text, run.lines.join('\n')]) {
      expect(out).not.toContain(secret);
      expect(out).not.toContain(dbSecret);
    }
    expect(records[0]).toMatchObject({ smtp: { host: 'mx', auth: { user: 'backup', pass: '[redacted]' } } });
  });
});

describe('config/logrotate.d/mailbackup', () => {
  it('rotates the redirected cron output and leaves the own JSON logs alone (real logrotate)', () => {
    const base = mkdtempSync(join(tmp, 'logrotate-'));
    const dir = join(base, 'var/log/mailbackup');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'cron.log'), 'mailbackup: backup ok\n');
    writeFileSync(join(dir, dayName(0)), '{}\n');
    const shipped = readFileSync(join(__dirname, '../../config/logrotate.d/mailbackup'), 'utf8');
    expect(shipped).toMatch(/^\s*rotate 30$/m);
    const conf = join(base, 'logrotate.conf');
    writeFileSync(conf, shipped.replaceAll('/var/log/mailbackup', dir), { mode: 0o644 });
    execFileSync('logrotate', ['--force', '--state', join(base, 'state'), conf], { stdio: 'pipe' });
    const names = readdirSync(dir).sort();
    expect(names).toContain(dayName(0));
    expect(names.filter((n) => n.startsWith('cron.log-'))).toHaveLength(1);
    expect(readFileSync(join(dir, dayName(0)), 'utf8')).toBe('{}\n');
  });
});
