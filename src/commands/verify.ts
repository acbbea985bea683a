import type { Context } from '../cli/context.js';
import { MailbackupError } from '../errors.js';

export default async function verify(_ctx: Context, _opts: object): Promise<number> {
  throw new MailbackupError('verify is not implemented yet');
}
