/**
 * `report` and the forecast in `status` through the built CLI over a generated 40-night history
 * of backup.json (no trees: both read metadata only) on a real tmpfs: text through a pipe,
 * --json, the charts in a real terminal (tmux), the mail through a real SMTP server.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyNights, writeHistory } from '../helpers/history.js';
import { mountTmpfs, type Mounted } from '../helpers/mount.js';
import { cliPath } from '../helpers/paths.js';
import { runCli, writeConfig } from '../helpers/snapshot-builder.js';
import { deadPort, parseMessage, startSmtp, type TestSmtp } from '../helpers/smtp-server.js';
import { runInTerminal } from '../helpers/terminal.js';

const MiB = 1024 ** 2;
const BLOCK = /[▁▂▃▄▅▆▇█]/;
let mnt: Mounted;
let root: string;
let config: string;
let smtp: TestSmtp;
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
// the nights' date labels, from the generated history (between 00:00 and 01:00 UTC the last night is yesterday's)
let failedDate: string;
let spikeDate: string;
let longDate: string;
/** the column of a date in the charts, which end with today's (UTC) date */
const column = (date: string) => 29 - Math.round((Date.parse(day(0)) - Date.parse(date)) / 86_400_000);
let mailConfigs = 0;
/** a config with a notify block in a file of its own, so a failed test leaves the others' config alone */
function configWith(notify: Record<string, unknown>): string {
  const file = join(mnt.dir, `mail-${++mailConfigs}.config.json`);
  writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(config, 'utf8')), notify }));
  return file;
}

beforeAll(async () => {
  mnt = await mountTmpfs(64);
  root = join(mnt.dir, 'dest');
  mkdirSync(root, { mode: 0o700 });
  writeFileSync(join(root, '.mailbackup'), JSON.stringify({ format: 1, createdAt: new Date(Date.now() - 50 * 86_400_000).toISOString() }));
  // 40 nights, the last started an hour ago: 1 MiB added and 0.5 MiB removed a night, a 20 MiB night
  // 3 days ago, an hour-long night 6 days ago, a failed night yesterday; rotation kept the newest 30
  const nights = historyNights({
    endAt: new Date(Date.now() - 3_600_000).toISOString(), nights: 40, startBytes: 200 * MiB,
    added: (k) => (k === 36 ? 20 * MiB : MiB), removed: () => MiB / 2, minutes: (k) => (k === 33 ? 60 : 10), failed: [38],
  });
  writeHistory(root, nights, 30);
  [failedDate, spikeDate, longDate] = [nights[38].date, nights[36].date, nights[33].date];
  config = writeConfig(root, { retention: { daily: 30, weekly: 0 } });
  // a run that made no snapshot two days ago is only in the log
  const logDir = join(root, '..', 'dest.logs');
  mkdirSync(logDir, { recursive: true });
  const t = Date.now() - 2 * 86_400_000;
  writeFileSync(join(logDir, `mailbackup-${new Date(t).toISOString().slice(0, 10)}.log`), [
    { runId: 'nr1', time: t, level: 30, command: 'backup', argv: ['--quiet', 'backup', '--weekly'], msg: 'start' },
    { runId: 'nr1', time: t + 1000, level: 30, exitCode: 75, status: 'not-run', msg: 'backup finished: failed (exit 75)' },
  ].map((r) => JSON.stringify(r)).join('\n') + '\n');
  smtp = await startSmtp();
});

afterAll(async () => {
  await smtp?.close();
  await mnt?.cleanup();
});

describe('report over a generated history', () => {
  it('through a pipe: the runs of 7 days, what failed, status and forecast, no charts', () => {
    const r = runCli(['--config', config, 'report']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`mailbackup report for ${readHost()}: ${day(-7)} … ${day(0)} (7 days)`);
    expect(lines[1]).toBe('8 run(s): 6 ok, 2 failed; 26 MiB added; 2 h 00 min in total');
    expect(lines.filter((l) => /^\d{4}-\d\d-\d\d \d\d:\d\dZ +(daily|weekly) /.test(l))).toHaveLength(8);
    expect(r.stdout).toMatch(/ daily +FAILED +10 min 00 s /);
    expect(r.stdout).toContain(`  daily/${failedDate}: databases: usermgmt: mariadb-dump exited 2 (lost connection)`);
    expect(r.stdout).toMatch(/ weekly +NOT RUN /);
    expect(r.stdout).toMatch(/^forecast: +80% \d{4}-\d\d-\d\d \(.*\), full \d{4}-\d\d-\d\d/m);
    expect(r.stdout).not.toMatch(BLOCK);
  });

  it('--json: the model, and --days narrows the runs', () => {
    const j = JSON.parse(runCli(['--config', config, '--json', 'report']).stdout);
    expect(j.runs).toHaveLength(8);
    expect(j.forecast.status).toBe('ok');
    // by hand: nights 11..37 and 39 remove 0.5 MiB; 1 MiB added, the 20 MiB night counted at 1.5 MiB
    expect(j.forecast.freedPerNight).toBeCloseTo(0.5 * MiB, 0);
    expect(j.forecast.addedPerNight).toBeGreaterThan(MiB);
    expect(j.forecast.addedPerNight).toBeLessThan(1.5 * MiB);
    expect(j.charts[1].columns.filter((c: { outlier: boolean }) => c.outlier).map((c: { date: string }) => c.date)).toEqual([spikeDate]);
    expect(JSON.parse(runCli(['--config', config, '--json', 'report', '--days', '3']).stdout).runs).toHaveLength(4); // the last 3 nights and the run that made no snapshot
    expect(runCli(['--config', config, 'report', '--days', 'seven']).code).toBe(64);
  });

  it('status warns when the disk reaches 80 % within notify.forecastWarnDays, and exports the days', () => {
    const prom = join(mnt.dir, 'mailbackup.prom');
    const calm = runCli(['--config', config, 'status', '--prometheus', prom]);
    expect(calm.stdout).not.toContain('reaches 80%');
    expect(readFileSync(prom, 'utf8')).toMatch(/^mailbackup_disk_forecast_days_until_warning \d+(\.\d+)?$/m);
    // other data on the disk brings 80 % within ~25 days at ~0.6 MiB a night
    writeFileSync(join(mnt.dir, 'filler'), Buffer.alloc(36 * MiB));
    try {
      const near = runCli(['--config', config, 'status']);
      expect(near.stdout).toMatch(/WARNING +backup disk reaches 80% in about \d+ days \(\d{4}-\d\d-\d\d, warning under 30 days\)/);
      const relaxed = configWith({ forecastWarnDays: 5 });
      expect(runCli(['--config', relaxed, 'status']).stdout).not.toContain('reaches 80%');
    } finally {
      writeFileSync(join(mnt.dir, 'filler'), '');
    }
  });

  it('in a real terminal, report and status draw the 30 nights; the outlier and the failed night are marked', async () => {
    for (const cmd of ['report', 'status']) {
      const t = await runInTerminal([process.execPath, cliPath(), '--config', config, cmd], {}, { columns: 160, rows: 80 });
      const lines = t.screen.split('\n');
      const i = lines.findIndex((l) => l.startsWith('last 30 nights'));
      expect(i, `${cmd}: ${t.screen}`).toBeGreaterThanOrEqual(0);
      expect(lines[i + 1]).toMatch(/^ {2}duration [▁▂▃▄▅▆▇█ ]{30} {2}median 10 min 00 s, max 1 h 00 min on /);
      // marker row: the hour-long night 6 days ago (^), the failed night yesterday (x)
      expect(lines[i + 2]).toBe(`${' '.repeat(11 + column(longDate))}^${' '.repeat(column(failedDate) - column(longDate) - 1)}x`);
      expect(lines[i + 3]).toMatch(/^ {2}added {4}[▁▂▃▄▅▆▇█ ]{30} {2}median 1\.0 MiB, max 20 MiB on /);
      expect(lines[i + 4]).toBe(`${' '.repeat(11 + column(spikeDate))}^${' '.repeat(column(failedDate) - column(spikeDate) - 1)}x`);
    }
  });
});

function readHost(): string {
  return JSON.parse(runCli(['--config', config, '--json', 'report']).stdout).host;
}

/** The CLI without blocking this process: the SMTP server here must answer while it runs. */
function runAsync(args: string[], started?: (pid: number) => void): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath(), ...args]);
    started?.(child.pid!);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code: code ?? 128, stdout, stderr }));
  });
}

/** The parts of a multipart message, each decoded by the SMTP helper. */
function parts(raw: string): { type: string; text: string }[] {
  const boundary = /boundary="?([^";\r\n]+)"?/.exec(raw)?.[1];
  if (!boundary) return [];
  return raw.split(`--${boundary}`).slice(1, -1).map((p) => {
    const m = parseMessage(p.replace(/^\r?\n/, ''));
    return { type: (m.headers['content-type'] ?? '').split(';')[0], text: m.text };
  });
}

describe('report --mail', () => {
  it('sends the text with its charts and an HTML part with the bars through the real SMTP server', async () => {
    const mailConfig = configWith({ email: { to: ['admin@example.com'], from: 'backup@example.com', smtp: { host: '127.0.0.1', port: smtp.port } } });
    const r = await runAsync(['--config', mailConfig, '--quiet', 'report', '--mail']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(smtp.messages).toHaveLength(1);
    const msg = smtp.messages[0];
    expect(msg.to).toEqual(['admin@example.com']);
    expect(msg.subject).toMatch(/^\[mailbackup\] (OK|WARNING|CRITICAL|UNKNOWN) report for .*\(7 days\): 6 ok, 2 failed$/);
    const [text, html] = ['text/plain', 'text/html'].map((t) => parts(msg.raw).find((p) => p.type === t));
    expect(text?.text).toMatch(/^ {2}added {4}[▁▂▃▄▅▆▇█ ]{30} {2}median 1\.0 MiB/m);
    expect(text?.text).toContain(`daily/${failedDate}: databases: usermgmt: mariadb-dump exited 2`);
    expect(html?.text).toContain(`title="${spikeDate}: 20 MiB (outlier)"`);
    expect(html?.text).toMatch(/<div style="height:48px;width:8px;background:#d9342b">/);
  });

  it('SIGTERM while a mail server accepts and never answers: exit 130 (interrupted), not 2 (undelivered)', async () => {
    // a server in another process that takes the connection and says nothing
    const mute = spawn(process.execPath, ['-e', "const s = require('net').createServer(() => {}).listen(0, '127.0.0.1', () => console.log(s.address().port))"]);
    try {
      const port = Number(await new Promise<string>((resolve) => mute.stdout.once('data', (d) => resolve(String(d).trim()))));
      const cfg = configWith({ email: { to: ['a@example.com'], from: 'b@example.com', smtp: { host: '127.0.0.1', port, timeoutMs: 5000 } } });
      const r = await runAsync(['--config', cfg, 'report', '--mail'], (pid) => setTimeout(() => process.kill(pid, 'SIGTERM'), 1500));
      expect(r.code, r.stderr).toBe(130);
      expect(r.stderr).toMatch(/interrupted by SIGTERM/);
    } finally {
      mute.kill();
    }
  });

  it('without a mail config exits 78; when no transport delivers, 2', async () => {
    const none = await runAsync(['--config', config, 'report', '--mail']);
    expect(none.code).toBe(78);
    expect(none.stderr).toContain('report --mail: no notify.email');
    const dead = configWith({ email: { to: ['a@example.com'], from: 'b@example.com', smtp: { host: '127.0.0.1', port: await deadPort(), timeoutMs: 2000 } } });
    const failed = await runAsync(['--config', dead, 'report', '--mail']);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain('no transport delivered the report');
  });
});
