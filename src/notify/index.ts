/**
 * Notifications for a finished run (FR-07): the failure/warning/success mail, the ping URL,
 * and the disk-usage warning. Nothing here throws or changes a command's exit code: a backup
 * that worked stays worked when the mail server is down.
 */
import type { Config } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { errorMessage } from '../errors.js';
import { runMail, shouldMail, runOutcome } from './run-message.js';
import { channels, deliver } from './transport.js';
import { pingTarget, pingUrl, sendPing, type PingEvent } from './ping.js';

export { diskUsage, diskWarning, type DiskUsage } from './disk.js';

export interface RunReport {
  /** 'backup', 'backup --weekly', 'drill', … */
  command: string;
  host: string;
  /** 0 ok, 1 warnings, 2 failed, … */
  exitCode: number;
  /** step e.g. 'databases', 'mail', 'preflight' */
  failures: { step: string; error: string }[];
  warnings: string[];
  /** snapshot id made or attempted, e.g. 'daily/2026-11-28' */
  snapshot?: string;
  /** what is still safe */
  latest?: { id: string; finishedAt?: string };
  /** readable lines of the run (the mail shows the last 50) */
  logLines: string[];
  destinationRoot?: string;
  startedAt: string;
  finishedAt: string;
}

/** Mails the run's outcome when the config asks for it. Never throws. */
export async function notifyRun(config: Config, report: RunReport, log: Logger): Promise<void> {
  try {
    const email = config.notify.email ?? config.notify.fallbackEmail;
    const list = channels(config);
    const outcome = runOutcome(report);
    if (!email || list.length === 0) {
      if (outcome !== 'OK') log.warn({ outcome }, 'no notify.email configured: nobody is mailed about this run');
      return;
    }
    if (!shouldMail(report, email)) {
      log.debug({ outcome }, 'no mail for this outcome (notify.email.onSuccess/onWarning)');
      return;
    }
    await deliver(list, runMail(report), log, outcome === 'OK' ? 'success' : outcome.toLowerCase());
  } catch (err) {
    // A bug here must still not turn a good backup into a failed one.
    log.error({ err: errorMessage(err) }, 'notification failed');
    process.stderr.write(`mailbackup: notification failed: ${errorMessage(err)}\n`);
  }
}

/** healthchecks.io-style ping; a no-op without notify.pingUrl. Never throws. */
export async function ping(config: Config, event: PingEvent, log: Logger): Promise<void> {
  const base = config.notify.pingUrl;
  if (!base) return;
  try {
    const r = await sendPing(pingUrl(base, event), config.notify.pingTimeoutMs);
    if (r.ok) log.debug({ event, target: pingTarget(base), attempts: r.attempts }, 'ping sent');
    else log.warn({ event, target: pingTarget(base), attempts: r.attempts, err: r.error }, 'ping failed; the monitor will alert if pings stay away');
  } catch (err) {
    log.warn({ event, err: errorMessage(err) }, 'ping failed');
  }
}
