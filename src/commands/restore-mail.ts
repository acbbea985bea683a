import type { Context } from '../cli/context.js';
import { restoreMail, type RestoreMailOptions } from '../restore/mail.js';
import { runRestore } from './restore-result.js';

export default async function restoreMailCommand(ctx: Context, opts: RestoreMailOptions): Promise<number> {
  return runRestore(ctx, (env) => restoreMail(env, opts));
}
