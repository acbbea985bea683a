/**
 * `status [--smart] [--prometheus FILE] [--notify]`: health at a glance with Nagios exit codes
 * (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN). Reads metadata only. A notifier that is missing or
 * fails never changes the exit code: monitoring must see the disk's state, not the mailer's.
 */
import type { Context } from '../cli/context.js';
import { errorMessage } from '../errors.js';
import { buildStatus, renderStatus, writeMetrics } from '../status/index.js';

export default async function status(
  ctx: Context,
  opts: { smart?: boolean; smartDevice?: string; prometheus?: string; notify?: boolean },
): Promise<number> {
  const config = ctx.config();
  const log = ctx.runLog().log;
  const report = await buildStatus(config, { smart: opts.smart || Boolean(opts.smartDevice), smartDevice: opts.smartDevice });

  if (opts.prometheus) {
    try {
      writeMetrics(opts.prometheus, report);
    } catch (err) {
      // the textfile is a side channel: report it, keep the health verdict as the exit code
      log.error({ file: opts.prometheus, err: errorMessage(err) }, 'cannot write the Prometheus textfile');
    }
  }
  if (opts.notify) {
    try {
      await (await import('../notify/status-notify.js')).notifyStatus(config, report, log);
    } catch (err) {
      log.error({ err: errorMessage(err) }, 'status notification failed; the status itself stands');
    }
  }
  log.debug({ state: report.state, problems: report.problems.length }, 'status');
  const human = renderStatus(report);
  // on a terminal, the last 30 nights at a glance (never into a pipe or --json)
  if (process.stdout.isTTY && !ctx.global.json && !report.problems.some((p) => p.key === 'destination')) {
    human.push('', ...(await import('../report/index.js')).historyChartLines(config, new Date(report.checkedAt)));
  }
  ctx.result(report, human);
  return report.exitCode;
}
