import type { Context } from '../cli/context.js';
import { MailbackupError } from '../errors.js';

export default async function schedule(_ctx: Context, _opts: object): Promise<number> {
  throw new MailbackupError('schedule is not implemented yet');
}
