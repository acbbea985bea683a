import { describe, expect, it } from 'vitest';
import { pingUrl } from '../../../src/notify/ping.js';

describe('pingUrl', () => {
  it('builds healthchecks.io ping URLs', () => {
    const base = 'https://hc-ping.com/0f1e2d3c-aaaa';
    expect(pingUrl(base, 'start')).toBe(`${base}/start`);
    expect(pingUrl(base, 'success')).toBe(base);
    expect(pingUrl(base + '/', 'fail')).toBe(`${base}/fail`);
    expect(pingUrl(base, 2)).toBe(`${base}/2`);
  });
});
