import type { Context } from '../cli/context.js';
import { MailbackupError } from '../errors.js';

export default async function backup(_ctx: Context, _opts: object): Promise<number> {
  throw new MailbackupError('backup is not implemented yet');
}
