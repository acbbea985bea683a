import type { Context } from '../cli/context.js';
import { restoreAll, type RestoreAllOptions } from '../restore/all.js';
import { runRestore } from './restore-result.js';

export default async function restoreAllCommand(ctx: Context, opts: RestoreAllOptions): Promise<number> {
  return runRestore(ctx, (env) => restoreAll(env, opts));
}
