import type { Context } from '../cli/context.js';
import { restoreMail, type RestoreMailOptions } from '../restore/mail.js';

export default async function restoreMailCommand(ctx: Context, opts: RestoreMailOptions): Promise<number> {
  return restoreMail(ctx, opts);
}
