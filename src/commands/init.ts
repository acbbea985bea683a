import type { Context } from '../cli/context.js';
import { MailbackupError } from '../errors.js';

export default async function init(_ctx: Context, _opts: object): Promise<number> {
  throw new MailbackupError('init is not implemented yet');
}
