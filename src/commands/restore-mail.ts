import type { Context } from '../cli/context.js';
import { openDestination } from '../repository/destination.js';
import { restoreMail, type RestoreMailOptions } from '../restore/mail.js';

export default async function restoreMailCommand(ctx: Context, opts: RestoreMailOptions): Promise<number> {
  // a reader lock on the snapshot for the whole restore: a rotation meanwhile defers deleting it
  const dest = await openDestination(ctx.config(), 'shared', { command: 'restore mail' });
  try {
    const snap = await dest.read(opts.snapshot ?? 'latest', { allowFailed: opts.force });
    return await restoreMail(ctx, { ...opts, snapshot: snap.id });
  } finally {
    dest.release();
  }
}
