/**
 * NFR-03: transient failures (container restarting, connection refused) are retried up to
 * `attempts` times with exponential backoff; every attempt is logged. Anything else fails at once.
 * With a `ready` probe a wait ends as soon as the server answers again (a restarted container
 * is back), so the budget bounds the wait without being spent in full.
 */
import type { Logger } from 'pino';
import { InterruptedError, TransientError, errorMessage } from '../errors.js';

export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
}

export async function withRetry<T>(
  step: string,
  policy: RetryPolicy,
  log: Logger,
  fn: (attempt: number) => Promise<T>,
  signal?: AbortSignal,
  ready?: () => Promise<boolean>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (signal?.aborted) throw new InterruptedError();
      const transient = err instanceof TransientError;
      if (!transient || attempt >= policy.attempts) {
        if (transient) log.error({ step, attempt, err: errorMessage(err) }, `${step}: giving up after ${attempt} attempts`);
        throw err;
      }
      const waitMs = policy.backoffMs * 2 ** (attempt - 1);
      log.warn({ step, attempt, waitMs, err: errorMessage(err) }, `${step}: transient failure, retrying`);
      if (await waitUntilReady(waitMs, ready, signal)) log.info({ step, attempt }, `${step}: the server answers again`);
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
/** probes at most this often: each probe is an exec into the container */
const PROBE_EVERY_MS = 500;

/** Waits `maxMs`, or less once `ready()` says yes; true when it did. */
async function waitUntilReady(maxMs: number, ready: (() => Promise<boolean>) | undefined, signal?: AbortSignal): Promise<boolean> {
  const until = Date.now() + maxMs;
  for (;;) {
    const left = until - Date.now();
    if (!ready || left <= PROBE_EVERY_MS) {
      await sleep(left);
      return false;
    }
    await sleep(PROBE_EVERY_MS);
    if (signal?.aborted) return false;
    if (await ready().catch(() => false)) return true;
  }
}
