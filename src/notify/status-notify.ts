/**
 * `status --notify` (hourly cron): mails WARNING/CRITICAL status per the plan in status-plan.ts.
 * State lives in <destination.root>/.state/notify.json; with the disk unmounted (which is itself
 * worth a mail) it lives in log.dir, and the newer of the two copies wins when both exist.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { errorMessage } from '../errors.js';
import { writeJsonAtomic } from '../repository/atomic.js';
import { layout } from '../repository/layout.js';
import { readState, writeState } from '../repository/state.js';
import { channels, deliver } from './transport.js';
import { planStatusNotice, statusMail, type NotifyState, type StatusReport } from './status-plan.js';

export type { StatusReport, NotifyState } from './status-plan.js';

const STATE_NAME = 'notify';
const LOG_DIR_STATE = 'notify-state.json';

function destinationUsable(config: Config): boolean {
  return existsSync(layout.marker(config.destination.root));
}

function readLogDirState(config: Config): NotifyState | undefined {
  try {
    return JSON.parse(readFileSync(join(config.log.dir, LOG_DIR_STATE), 'utf8')) as NotifyState;
  } catch {
    return undefined;
  }
}

function readNotifyState(config: Config): NotifyState | undefined {
  const onDisk = destinationUsable(config) ? readState<NotifyState>(config.destination.root, STATE_NAME) : undefined;
  const local = readLogDirState(config);
  if (!onDisk || !local) return onDisk ?? local;
  return Date.parse(local.updatedAt) > Date.parse(onDisk.updatedAt) ? local : onDisk;
}

function writeNotifyState(config: Config, state: NotifyState): void {
  if (destinationUsable(config)) {
    try {
      writeState(config.destination.root, STATE_NAME, state);
      return;
    } catch {
      // read-only or full disk: remember in log.dir rather than mail every hour
    }
  }
  mkdirSync(config.log.dir, { recursive: true, mode: 0o700 });
  writeJsonAtomic(join(config.log.dir, LOG_DIR_STATE), state);
}

/**
 * Mails when the plan says so; records the new state only after a mail went out (or none was
 * due), so a failed send is retried by the next hourly run. Never throws.
 */
export async function notifyStatus(
  config: Config & { file?: string },
  report: StatusReport,
  log: Logger,
  opts: { now?: Date; host?: string } = {},
): Promise<void> {
  try {
    const prev = readNotifyState(config);
    const { action, next } = planStatusNotice(prev, report, opts.now ?? new Date());
    if (action !== 'none') {
      const list = channels(config);
      if (!config.notify.email && !config.notify.fallbackEmail) {
        log.warn({ state: report.state }, 'status --notify: no notify.email configured, nobody is told');
      } else {
        const mail = statusMail(action, report, opts.host ?? hostname(), prev);
        const sent = await deliver(list, mail, log, action === 'recovery' ? 'recovery' : 'status');
        if (!sent.deliveredBy) return; // keep the old state: the next run tries again
      }
    } else {
      log.debug({ state: report.state }, 'status --notify: nothing new to mail');
    }
    writeNotifyState(config, next);
  } catch (err) {
    log.error({ err: errorMessage(err) }, 'status notification failed');
    process.stderr.write(`mailbackup: status notification failed: ${errorMessage(err)}\n`);
  }
}
