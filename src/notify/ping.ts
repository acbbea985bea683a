/**
 * healthchecks.io-style pings: a dead man's switch that still alerts when the mail path is
 * down or cron stopped running. A ping never delays the backup for long and never fails it.
 */
export type PingEvent = 'start' | 'success' | 'fail' | number;

const PING_ATTEMPTS = 3;
const PING_BACKOFF_MS = 500;

/** Pure: `/start`, the base URL on success, `/fail` or `/<exit code>`. */
export function pingUrl(base: string, event: PingEvent): string {
  const url = new URL(base);
  const suffix = event === 'success' ? '' : event === 'start' ? 'start' : event === 'fail' ? 'fail' : String(Math.trunc(event));
  if (suffix) url.pathname = url.pathname.replace(/\/+$/, '') + '/' + suffix;
  return url.toString();
}

/** The URL's path holds the check's UUID (anyone with it can ping): log only the origin. */
export function pingTarget(base: string): string {
  return new URL(base).origin;
}

export type PingOutcome = { ok: true; status: number; attempts: number } | { ok: false; error: string; attempts: number };

/** One bounded try loop: network errors, timeouts and 5xx are retried; 4xx is final. */
export async function sendPing(
  url: string,
  timeoutMs: number,
  opts: { attempts?: number; backoffMs?: number } = {},
): Promise<PingOutcome> {
  const attempts = opts.attempts ?? PING_ATTEMPTS;
  let error = '';
  for (let i = 1; i <= attempts; i++) {
    try {
      const res = await fetch(url, {
        method: 'GET',
        headers: { 'User-Agent': 'mailbackup' },
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return { ok: true, status: res.status, attempts: i };
      error = `HTTP ${res.status}`;
      if (res.status < 500) return { ok: false, error, attempts: i };
    } catch (err) {
      const e = err as Error & { cause?: Error };
      error = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.message ?? e.message);
    }
    if (i < attempts) await new Promise((r) => setTimeout(r, opts.backoffMs ?? PING_BACKOFF_MS));
  }
  return { ok: false, error, attempts };
}
