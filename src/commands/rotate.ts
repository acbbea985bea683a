import type { Context } from '../cli/context.js';
import { MailbackupError } from '../errors.js';

export default async function rotate(_ctx: Context, _opts: object): Promise<number> {
  throw new MailbackupError('rotate is not implemented yet');
}
