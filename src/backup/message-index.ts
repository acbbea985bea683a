/**
 * The backup's last step before its quick verification: the snapshot's messages.index, carried
 * forward from the previous snapshot's (find/index-build.ts). Not being able to build it is a
 * warning, never a failed backup: the mail is safe, `mailbackup index` builds it later.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { errorMessage, InterruptedError } from '../errors.js';
import { buildMessageIndex } from '../find/index-build.js';
import { resolveLayout } from '../mailbox/detect.js';
import { vmailDir } from '../mailbox/layout.js';
import { layout } from '../repository/layout.js';
import type { MessageIndexMeta } from '../repository/metadata.js';
import type { HashPool } from '../engine/hash/pool.js';

export interface IndexStep {
  meta?: MessageIndexMeta;
  warning?: string;
}

export async function indexMessages(config: Config, snapDir: string, prevDir: string | undefined, pool: HashPool, log: Logger, signal?: AbortSignal): Promise<IndexStep> {
  const t0 = Date.now();
  try {
    const boxLayout = resolveLayout(config.source.mailboxLayout, vmailDir(layout.component(snapDir, 'mail'), config.source.mailboxRoot));
    const before = pool.headStats().taken;
    const r = await buildMessageIndex({ snapDir, prevDir, mailboxRoot: config.source.mailboxRoot, layout: boxLayout, readHeads: (paths) => pool.headMany(paths), signal });
    const fromCopy = pool.headStats().taken - before;
    log.info({ ...r, fromCopy, durationMs: Date.now() - t0 }, `messages.index: ${r.messages} messages, ${r.read} header blocks (${fromCopy} from the copy's own read), ${r.carried} carried forward`);
    return { meta: { messages: r.messages, read: r.read, fromCopy, bytes: r.bytes } };
  } catch (err) {
    if (signal?.aborted) throw new InterruptedError();
    const warning = `messages.index not built (${errorMessage(err)}); \`mailbackup index\` builds it later`;
    log.warn({ err: errorMessage(err), file: join(snapDir, 'messages.index') }, warning);
    return { warning };
  }
}
