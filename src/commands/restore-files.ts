import type { Context } from '../cli/context.js';
import { MailbackupError } from '../errors.js';

export default async function restoreFiles(_ctx: Context, _opts: object): Promise<number> {
  throw new MailbackupError('restore-files is not implemented yet');
}
