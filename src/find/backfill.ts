/**
 * `mailbackup index`: builds messages.index for snapshots made before it existed (or whose
 * build failed), oldest first, so each carries forward from the one before: only the first
 * reads every message's header block, the others read what their day added.
 */
import type { Logger } from 'pino';
import { existsSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import { InterruptedError } from '../errors.js';
import { resolveLayout } from '../mailbox/detect.js';
import { vmailDir } from '../mailbox/layout.js';
import { layout } from '../repository/layout.js';
import { messageIndexPath } from '../repository/message-index.js';
import type { Snapshot } from '../repository/snapshots.js';
import { buildMessageIndex, type BuildIndexResult } from './index-build.js';
import { createHashPool, type HashPool } from '../engine/hash/pool.js';

export interface BackfillRow extends BuildIndexResult {
  snapshot: string;
  durationMs: number;
}

/** `all` oldest first; `targets` the ones to (re)build. */
export async function backfill(config: Config, all: Snapshot[], targets: Set<string>, log: Logger, signal?: AbortSignal): Promise<BackfillRow[]> {
  const pool = createHashPool(); // header blocks are read on its threads
  try {
    return await backfillWith(pool, config, all, targets, log, signal);
  } finally {
    await pool.close();
  }
}

async function backfillWith(pool: HashPool, config: Config, all: Snapshot[], targets: Set<string>, log: Logger, signal?: AbortSignal): Promise<BackfillRow[]> {
  const rows: BackfillRow[] = [];
  let prev: Snapshot | undefined;
  for (const s of all) {
    if (signal?.aborted) throw new InterruptedError();
    if (targets.has(s.id) && existsSync(layout.manifestIndex(s.dir))) {
      const t0 = Date.now();
      const boxLayout = resolveLayout(config.source.mailboxLayout, vmailDir(layout.component(s.dir, 'mail'), config.source.mailboxRoot));
      const r = await buildMessageIndex({ snapDir: s.dir, prevDir: prev?.dir, mailboxRoot: config.source.mailboxRoot, layout: boxLayout, readHeads: pool.headMany, signal });
      rows.push({ snapshot: s.id, ...r, durationMs: Date.now() - t0 });
      log.info({ snapshot: s.id, ...r }, `${s.id}: messages.index of ${r.messages} messages (${r.read} header blocks read)`);
    }
    if (existsSync(messageIndexPath(s.dir))) prev = s;
  }
  return rows;
}
