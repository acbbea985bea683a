/**
 * `index [--snapshot S] [--rebuild]`: builds messages.index where it is missing (snapshots made
 * before it). Takes the writer's lock: it writes into snapshots, which a backup reads.
 */
import { existsSync } from 'node:fs';
import type { Context } from '../cli/context.js';
import { ExitCode, UsageError } from '../errors.js';
import { checkedDestination, lockDestination } from '../repository/destination.js';
import { layout } from '../repository/layout.js';
import { messageIndexPath } from '../repository/message-index.js';
import { isOk, listSnapshots, resolveSnapshot } from '../repository/snapshots.js';
import { formatBytes, table } from '../util/format.js';
import { backfill } from '../find/backfill.js';

export default async function index(ctx: Context, opts: { snapshot?: string; rebuild?: boolean; forceUnlock?: boolean }): Promise<number> {
  const config = ctx.config();
  const { root, marker } = checkedDestination(config);
  const log = ctx.runLog().log;
  const dest = await lockDestination(root, marker, 'exclusive', { command: 'index', forceUnlock: opts.forceUnlock });
  try {
    if (dest.takeover) log.warn({ stale: dest.lock?.tookOverFrom }, dest.takeover);
    const all = listSnapshots(root).filter(isOk);
    const chosen = opts.snapshot ? [resolveSnapshot(root, opts.snapshot)] : all;
    const noManifest = chosen.filter((s) => !existsSync(layout.manifestIndex(s.dir))).map((s) => s.id);
    const targets = new Set(chosen.filter((s) => opts.rebuild || opts.snapshot || !existsSync(messageIndexPath(s.dir))).map((s) => s.id));
    if (opts.snapshot && noManifest.length) throw new UsageError(`${noManifest[0]} has no manifest.index (made by a version before it): it cannot be indexed`);
    // a snapshot marked failed, named on purpose, is indexed on its own (no ok chain to carry from)
    const rows = await backfill(config, all.some((s) => s.id === chosen[0]?.id) ? all : chosen, targets, log, ctx.signal);
    const human = rows.length
      ? table([['SNAPSHOT', 'MESSAGES', 'READ', 'CARRIED', 'INDEX SIZE'], ...rows.map((r) => [r.snapshot, String(r.messages), String(r.read), String(r.carried), formatBytes(r.bytes)])])
      : ['every snapshot has its messages.index: nothing to do'];
    for (const id of noManifest) human.push(`${id}: no manifest.index (made by a version before it): not indexed`);
    ctx.result({ indexed: rows, skipped: noManifest }, human);
    return noManifest.length || dest.takeover ? ExitCode.WARNING : ExitCode.OK;
  } finally {
    dest.release();
  }
}
