import type { Context } from '../cli/context.js';
import { restoreDb, type RestoreDbOptions } from '../restore/db.js';

export default async function restoreDbCommand(ctx: Context, opts: RestoreDbOptions, name: string): Promise<number> {
  return restoreDb(ctx, name, opts);
}
