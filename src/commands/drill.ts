import type { Context } from '../cli/context.js';
import { MailbackupError } from '../errors.js';

export default async function drill(_ctx: Context, _opts: object): Promise<number> {
  throw new MailbackupError('drill is not implemented yet');
}
