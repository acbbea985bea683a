/**
 * healthchecks.io-style pings seen by a local HTTP server: the sequence for a good and a
 * failed run, retries on server errors, and a hung endpoint that must not hold the backup.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { createRunLog } from '../../src/log/logger.js';
import { ping } from '../../src/notify/index.js';
import { startPingServer, type PingServer } from '../helpers/http-ping.js';

const tmp = mkdtempSync(join(tmpdir(), 'mb-notify-ping-'));
const servers: PingServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(tmp, { recursive: true, force: true });
});

async function server(opts: Parameters<typeof startPingServer>[0] = {}) {
  const s = await startPingServer(opts);
  servers.push(s);
  return s;
}

function config(pingUrl: string, pingTimeoutMs = 2000) {
  return parseConfig({ source: { root: '/srv' }, destination: { root: '/mnt/b' }, database: {}, notify: { pingUrl, pingTimeoutMs } });
}

const runLog = (level: 'info' | 'debug' = 'info') => createRunLog({ dir: mkdtempSync(join(tmp, 'log-')), silent: true, level });

describe('ping', () => {
  it('pings /start then the base URL for a good run', async () => {
    const s = await server();
    const { log } = runLog();
    await ping(config(s.url), 'start', log);
    await ping(config(s.url), 'success', log);
    expect(s.seen).toEqual(['/start', '']);
  });

  it('pings /start then /fail or /<exit code> for a failed run', async () => {
    const s = await server();
    const { log } = runLog();
    await ping(config(s.url), 'start', log);
    await ping(config(s.url), 2, log);
    await ping(config(s.url), 'fail', log);
    expect(s.seen).toEqual(['/start', '/2', '/fail']);
  });

  // docs/notifications.md: "tried 3 times" — the literal count, not the constant it should equal
  it('tries a server error 3 times in all and never throws', async () => {
    const s = await server({ status: 503 });
    const run = runLog();
    await expect(ping(config(s.url), 'success', run.log)).resolves.toBeUndefined();
    expect(s.seen).toEqual(['', '', '']);
    expect(run.lines.join('\n')).toMatch(/WARN\s+ping failed.*HTTP 503/);
  });

  it('gives up on a hung endpoint after the timeout and the bounded retries', async () => {
    const s = await server({ hang: true, uuid: 'secret-check-uuid-1234' });
    const run = runLog();
    await expect(ping(config(s.url, 200), 'start', run.log)).resolves.toBeUndefined();
    expect(s.seen).toEqual(['/start', '/start', '/start']);
    const logged = readFileSync(run.file!, 'utf8');
    expect(logged).toContain('no answer within 200 ms');
    // the check's UUID lets anyone ping it: the log names only the host
    expect(logged).not.toContain('secret-check-uuid-1234');
  });

  it('a 4xx (a wrong or deleted check) is final: one request, a warning naming the status', async () => {
    const s = await server({ status: 404 });
    const run = runLog();
    await ping(config(s.url), 'fail', run.log);
    expect(s.seen).toEqual(['/fail']);
    expect(run.lines.join('\n')).toMatch(/WARN\s+ping failed.*HTTP 404/);
  });

  it('pings only while notify.pingUrl is set: the same run without it sends and logs nothing', async () => {
    const s = await server();
    const withUrl = runLog('debug');
    await ping(config(s.url), 'start', withUrl.log);
    expect(s.seen).toEqual(['/start']);
    expect(withUrl.lines.join('\n')).toMatch(/ping sent/);

    const without = runLog('debug');
    const c = parseConfig({ source: { root: '/srv' }, destination: { root: '/mnt/b' }, database: {} });
    await expect(ping(c, 'start', without.log)).resolves.toBeUndefined();
    expect(s.seen).toEqual(['/start']);
    expect(without.lines.join('\n')).not.toMatch(/ping/);
  });
});
