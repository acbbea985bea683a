import type { Context } from '../cli/context.js';
import { restoreFiles, type RestoreFilesOptions } from '../restore/files.js';
import { runRestore } from './restore-result.js';

export default async function restoreFilesCommand(ctx: Context, opts: RestoreFilesOptions): Promise<number> {
  return runRestore(ctx, (env) => restoreFiles(env, opts));
}
