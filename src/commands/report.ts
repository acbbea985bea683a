/**
 * `report [--days N] [--mail] [--smart]`: the admin's week at a glance (issue 33): each run,
 * the checks, disk use and its forecast, charts of the last 30 nights on a terminal. Reads
 * metadata only. Exit 0 when the report was made (and mailed with --mail), whatever it says;
 * 2 when --mail could not deliver it, 78 without a mail config.
 */
import type { Context } from '../cli/context.js';
import { ExitCode, UsageError } from '../errors.js';
import { buildReport, mailReport, renderReportText } from '../report/index.js';

export default async function report(ctx: Context, opts: { days?: string; mail?: boolean; smart?: boolean }): Promise<number> {
  const days = opts.days === undefined ? 7 : Number(opts.days);
  if (!Number.isInteger(days) || days < 1 || days > 366) throw new UsageError(`--days ${opts.days}: give a whole number of days from 1 to 366`);
  const config = ctx.config();
  const log = ctx.runLog().log;
  const model = await buildReport(config, { days, smart: opts.smart });
  if (opts.mail) await mailReport(config, model, log, ctx.signal);
  // charts only where a person looks at them: a terminal (the mail has its own)
  const charts = Boolean(process.stdout.isTTY) && !ctx.global.json;
  ctx.result(model, renderReportText(model, { charts }));
  return ExitCode.OK;
}
