import type { Context } from '../cli/context.js';
import { MailbackupError } from '../errors.js';

export default async function restoreMail(_ctx: Context, _opts: object): Promise<number> {
  throw new MailbackupError('restore-mail is not implemented yet');
}
