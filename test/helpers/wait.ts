/** Waiting for another actor (a process, a server, a file) to reach a state: poll its signal, bounded by a timeout. */

export interface WaitOptions {
  /** fail after this long; the message names `what` */
  timeoutMs?: number;
  /** what is awaited, for the timeout message */
  what?: string;
  /** how often to look */
  everyMs?: number;
}

/** Resolves once `ready()` holds; throws when it has not within the timeout (a hang becomes a failure). */
export async function waitFor(ready: () => boolean | Promise<boolean>, options: WaitOptions = {}): Promise<void> {
  const { timeoutMs = 60_000, what = 'a condition', everyMs = 25 } = options;
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await pause(everyMs);
  }
}

/** A plain pause: only for pacing work (a poll interval, a rate), never to wait for another actor. */
export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
