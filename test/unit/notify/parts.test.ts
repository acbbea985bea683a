import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { pingUrl } from '../../../src/notify/ping.js';
import { channels } from '../../../src/notify/transport.js';
import { diskWarningFor } from '../../../src/notify/disk.js';
import { expiredLogs } from '../../../src/log/retention.js';
import { sendmailArgs } from '../../../src/tools/sendmail.js';

describe('notify parts', () => {
  it('builds healthchecks.io ping URLs', () => {
    const base = 'https://hc-ping.com/0f1e2d3c-aaaa';
    expect(pingUrl(base, 'start')).toBe(`${base}/start`);
    expect(pingUrl(base, 'success')).toBe(base);
    expect(pingUrl(base + '/', 'fail')).toBe(`${base}/fail`);
    expect(pingUrl(base, 2)).toBe(`${base}/2`);
  });

  it('orders transports: smtp, its sendmail, then the fallback block', () => {
    const config = parseConfig({
      source: { root: '/src' },
      destination: { root: '/dst' },
      database: {},
      notify: {
        email: { to: ['a@example.com'], from: 'b@example.com', smtp: { host: 'mx', port: 587 }, sendmail: '/usr/bin/msmtp' },
        fallbackEmail: { to: ['c@example.net'], from: 'b@example.com' },
      },
    });
    expect(channels(config).map((c) => c.label)).toEqual([
      'email smtp mx:587',
      'email sendmail /usr/bin/msmtp',
      'fallbackEmail sendmail /usr/sbin/sendmail',
    ]);
  });

  it('warns from the threshold on, as status does', () => {
    const u = (p: number) => ({ usedPercent: p, totalBytes: 100, freeBytes: 100 - p, usedBytes: p });
    expect(diskWarningFor('/d', u(79), 80)).toBeUndefined();
    expect(diskWarningFor('/d', u(80), 80)).toMatch(/^destination disk \/d is 80% full/);
  });

  it('expires log files by the date in their name', () => {
    const names = ['mailbackup-2026-10-28.log', 'mailbackup-2026-10-29.log', 'mailbackup-2026-11-28.log', 'other.log', 'mailbackup-2026-02-30.log'];
    expect(expiredLogs(names, 30, new Date('2026-11-28T12:00:00Z'))).toEqual(['mailbackup-2026-10-28.log']);
  });

  it('keeps addresses from being read as sendmail options', () => {
    expect(sendmailArgs({ from: 'b@example.com', to: ['-oQ@x', 'a@example.com'] })).toEqual(['-i', '-f', 'b@example.com', '--', '-oQ@x', 'a@example.com']);
  });
});
