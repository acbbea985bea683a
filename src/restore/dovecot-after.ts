/** After an in-place mail restore: make Dovecot re-read the mailbox, or tell the admin how. */
import type { Config } from '../config/schema.js';
import { describeCommand, forceResyncArgs, quotaRecalcArgs, resyncAfterRestore, type DoveadmTarget } from '../tools/doveadm.js';

function dovecotTarget(config: Config): DoveadmTarget | undefined {
  const container = config.dovecot.container;
  if (!container) return undefined;
  return { container: { runtime: config.dovecot.runtime ?? config.database.runtime, container } };
}

/** Appends what happened to `lines`; returns warnings. */
export async function afterInPlace(config: Config, user: string, lines: string[], signal?: AbortSignal): Promise<string[]> {
  const t = dovecotTarget(config);
  if (!t) {
    lines.push(
      'dovecot.container is not set: run these in the Dovecot container so it sees the restored mail:',
      `  doveadm force-resync -u ${user} '*'`,
      `  doveadm ${quotaRecalcArgs(user).join(' ')}`,
    );
    return [];
  }
  const res = await resyncAfterRestore(t, user, signal);
  if (res.ok) lines.push(`dovecot: ${describeCommand(t, forceResyncArgs(user))} and quota recalc done`);
  return res.warnings;
}
