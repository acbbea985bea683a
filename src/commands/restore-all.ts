import type { Context } from '../cli/context.js';
import { MailbackupError } from '../errors.js';

export default async function restoreAll(_ctx: Context, _opts: object): Promise<number> {
  throw new MailbackupError('restore-all is not implemented yet');
}
