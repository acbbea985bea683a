import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { withRetry } from '../../../src/backup/retry.js';
import { MailbackupError, TransientError } from '../../../src/errors.js';

const log = pino({ level: 'silent' });
afterEach(() => vi.useRealTimers());

describe('withRetry', () => {
  it('ends the wait as soon as the server answers again, long before the backoff', async () => {
    vi.useFakeTimers();
    let answers = 0;
    const ready = vi.fn(async () => ++answers >= 3); // down, down, up
    const fn = vi.fn(async (attempt: number) => {
      if (attempt === 1) throw new TransientError('container is restarting');
      return 'dumped';
    });
    let result: string | undefined;
    const p = withRetry('dump usermgmt', { attempts: 3, backoffMs: 60_000 }, log, fn, undefined, ready).then((r) => (result = r));
    await vi.advanceTimersByTimeAsync(1_600);
    expect(result).toBe('dumped'); // after three probes, not the minute of backoff
    await vi.runAllTimersAsync();
    await p;
    expect(ready).toHaveBeenCalledTimes(3);
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it('gives up after the attempts when the server never answers, and throws the last error', async () => {
    vi.useFakeTimers();
    const ready = vi.fn(async () => false);
    const fn = vi.fn(async (attempt: number) => {
      throw new TransientError(`still down (${attempt})`);
    });
    const p = withRetry('dump usermgmt', { attempts: 3, backoffMs: 1_000 }, log, fn, undefined, ready);
    const settled = expect(p).rejects.toThrow('still down (3)');
    await vi.advanceTimersByTimeAsync(3_100); // 1 s + 2 s of backoff
    await settled;
    expect(fn).toHaveBeenCalledTimes(3);
    expect(ready.mock.calls.length).toBeGreaterThan(2);
  });

  it('does not probe within a backoff shorter than one probe interval, nor retry what is not transient', async () => {
    const ready = vi.fn(async () => true);
    let calls = 0;
    await expect(withRetry('x', { attempts: 3, backoffMs: 5 }, log, async () => (++calls < 3 ? Promise.reject(new TransientError('flaky')) : 'ok'), undefined, ready)).resolves.toBe('ok');
    expect(ready).not.toHaveBeenCalled();
    const fatal = vi.fn(async () => Promise.reject(new MailbackupError('unknown database')));
    await expect(withRetry('x', { attempts: 3, backoffMs: 5 }, log, fatal, undefined, ready)).rejects.toThrow('unknown database');
    expect(fatal).toHaveBeenCalledTimes(1);
  });
});
