import type { Context } from '../cli/context.js';
import { restoreFiles, type RestoreFilesOptions } from '../restore/files.js';

export default async function restoreFilesCommand(ctx: Context, opts: RestoreFilesOptions): Promise<number> {
  return restoreFiles(ctx, opts);
}
