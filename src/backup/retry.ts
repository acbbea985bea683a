/**
 * NFR-03: transient failures (container restarting, connection refused) are retried up to
 * `attempts` times with exponential backoff; every attempt is logged. Anything else fails at once.
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
      await new Promise((r) => setTimeout(r, waitMs));
    }
  }
}
