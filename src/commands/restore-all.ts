import type { Context } from '../cli/context.js';
import { restoreAll, type RestoreAllOptions } from '../restore/all.js';

export default async function restoreAllCommand(ctx: Context, opts: RestoreAllOptions): Promise<number> {
  return restoreAll(ctx, opts);
}
