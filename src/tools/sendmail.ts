/**
 * The local `sendmail` binary (Postfix, Exim, msmtp all ship one): the message on stdin,
 * envelope sender and recipients in argv. Addresses are not secrets; nothing else goes in argv.
 */
import { ToolError } from '../errors.js';
import { run } from './shell.js';

export const DEFAULT_SENDMAIL = '/usr/sbin/sendmail';

export interface SendmailEnvelope {
  from: string;
  to: string[];
}

/** `-i`: a line with a single dot does not end the message; `--` keeps addresses from being options. */
export function sendmailArgs(envelope: SendmailEnvelope): string[] {
  return ['-i', '-f', envelope.from, '--', ...envelope.to];
}

export async function sendmail(
  binary: string,
  envelope: SendmailEnvelope,
  message: Buffer,
  opts: { timeoutMs?: number } = {},
): Promise<void> {
  // Normal priority: a failure mail must not wait behind the backup's idle I/O class.
  const r = await run(binary, sendmailArgs(envelope), {
    input: message,
    timeoutMs: opts.timeoutMs ?? 30_000,
    normalPriority: true,
  });
  if (r.exitCode !== 0) {
    const why = (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ') || 'no output';
    const how = r.signal ? `was killed by ${r.signal}` : `exited ${r.exitCode}`;
    throw new ToolError(`${binary} ${how}: ${why}; check the local mail system (mailq, its log)`);
  }
}
