import type { Context } from '../cli/context.js';
import { restoreDb, type RestoreDbOptions } from '../restore/db.js';
import { runRestore } from './restore-result.js';

export default async function restoreDbCommand(ctx: Context, opts: RestoreDbOptions, name: string): Promise<number> {
  return runRestore(ctx, (env) => restoreDb(env, name, opts));
}
