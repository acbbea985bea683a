/**
 * `find`: messages across snapshots by decoded header text, one line per message (docs/commands.md).
 * Exit 0 (also when nothing matches), 1 when some snapshots have no messages.index (not
 * searched), 3 when none has one.
 */
import type { Context } from '../cli/context.js';
import { ExitCode } from '../errors.js';
import { parseDate } from '../restore/names.js';
import { findJson, findLines, runFind, type FindOptions } from '../find/run-find.js';

export interface FindCommandOptions extends Omit<FindOptions, 'since' | 'until'> {
  since?: string;
  until?: string;
  /** the same as --to */
  recipient?: string;
}

export default async function find(ctx: Context, opts: FindCommandOptions): Promise<number> {
  const since = opts.since ? parseDate('--since', opts.since) : undefined;
  const until = opts.until ? parseDate('--until', opts.until) : undefined;
  const report = await runFind(ctx.config(), { ...opts, to: opts.to ?? opts.recipient, since, until });
  ctx.result(findJson(report), findLines(report));
  if (report.searched.length === 0) return ExitCode.UNKNOWN;
  return report.withoutIndex.length ? ExitCode.WARNING : ExitCode.OK;
}
