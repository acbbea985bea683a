import type { Context } from '../cli/context.js';
import { MailbackupError } from '../errors.js';

export default async function restoreDb(_ctx: Context, _opts: object): Promise<number> {
  throw new MailbackupError('restore-db is not implemented yet');
}
