/**
 * `report`: collects from metadata only (status's facts and verdict, every snapshot's
 * backup.json, the run log of the period), builds the model (model.ts) and mails it with the
 * notifier's transports. The renderers are pure (render-text.ts, render-html.ts).
 */
import { hostname } from 'node:os';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { ConfigError, DeliveryError } from '../errors.js';
import { channels, deliver } from '../notify/transport.js';
import type { MailContent } from '../notify/run-message.js';
import { listSnapshots } from '../repository/snapshots.js';
import { buildStatus } from '../status/index.js';
import { historyCharts, renderChartsText } from './charts.js';
import { nightsOf } from './history.js';
import { readNotRunBackups } from './log-runs.js';
import { buildReportModel, type ReportModel } from './model.js';
import { renderReportHtml } from './render-html.js';
import { renderReportText, reportTitle } from './render-text.js';

export { renderReportText } from './render-text.js';
export type { ReportModel } from './model.js';

export interface ReportOptions {
  days: number;
  smart?: boolean;
  now?: Date;
  host?: string;
}

export async function buildReport(config: Config, o: ReportOptions): Promise<ReportModel> {
  const now = o.now ?? new Date();
  const status = await buildStatus(config, { smart: o.smart, now });
  return buildReportModel({
    now,
    host: o.host ?? hostname(),
    days: o.days,
    status,
    nights: nightsOf(listSnapshots(config.destination.root)),
    logRuns: readNotRunBackups(config.log.dir, new Date(now.getTime() - o.days * 86_400_000)),
  });
}

/** The charts of the last 30 nights for `status` on a terminal (metadata only). */
export function historyChartLines(config: Config, now = new Date()): string[] {
  return renderChartsText(historyCharts(nightsOf(listSnapshots(config.destination.root)), now));
}

/** Pure: subject, text (with the charts: they read in a plain-text mail) and HTML. */
export function reportMail(m: ReportModel): MailContent {
  const t = m.totals;
  const subject = `[mailbackup] ${m.status.state} ${reportTitle(m).replace(/^mailbackup /, '')}: ${t.ok} ok, ${t.failed} failed`;
  return { subject, text: renderReportText(m, { charts: true }).join('\n') + '\n', html: renderReportHtml(m) };
}

/** Sends the report; the mail is this command's purpose, so failing to deliver it fails the command. */
export async function mailReport(config: Config, m: ReportModel, log: Logger, signal?: AbortSignal): Promise<string> {
  const list = channels(config);
  if (!config.notify.email && !config.notify.fallbackEmail) {
    throw new ConfigError('report --mail: no notify.email (or notify.fallbackEmail) in the config: add one (docs/notifications.md) or drop --mail');
  }
  // SIGINT/SIGTERM must not wait for a mail server that accepted the connection and never answers
  const interrupted = new Promise<never>((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));
  const sent = await Promise.race([deliver(list, reportMail(m), log, 'report'), interrupted]);
  if (!sent.deliveredBy) {
    throw new DeliveryError(`report --mail: no transport delivered the report (${sent.errors.map((e) => `${e.channel}: ${e.error}`).join('; ')}): check notify.email and the mail server`);
  }
  return sent.deliveredBy;
}
