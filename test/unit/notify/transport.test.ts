import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { channels } from '../../../src/notify/transport.js';

describe('channels', () => {
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
});
