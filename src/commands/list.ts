import type { Context } from '../cli/context.js';
import { MailbackupError } from '../errors.js';

export default async function list(_ctx: Context, _opts: object): Promise<number> {
  throw new MailbackupError('list is not implemented yet');
}
