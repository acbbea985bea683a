import type { Context } from '../cli/context.js';
import { MailbackupError } from '../errors.js';

export default async function status(_ctx: Context, _opts: object): Promise<number> {
  throw new MailbackupError('status is not implemented yet');
}
