/**
 * Getting a mail out: SMTP or the local sendmail binary, tried in order until one delivers.
 * The mail server being backed up may be the thing that is down, so every failed attempt is
 * logged and written to stderr (cron mails stderr through its own path), and nothing throws.
 */
import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { errorMessage } from '../errors.js';
import { DEFAULT_SENDMAIL, sendmail } from '../tools/sendmail.js';
import type { MailContent } from './run-message.js';

type Email = NonNullable<Config['notify']['email']>;
type Smtp = NonNullable<Email['smtp']>;

export type Channel =
  | { label: string; kind: 'smtp'; from: string; to: string[]; smtp: Smtp }
  | { label: string; kind: 'sendmail'; from: string; to: string[]; binary: string; timeoutMs: number };

/**
 * Pure: the delivery attempts in order. Within one email block SMTP comes first and its
 * `sendmail` second; a block with neither uses the system sendmail. fallbackEmail follows.
 */
export function channels(config: Config): Channel[] {
  const out: Channel[] = [];
  const blocks: [string, Email | undefined][] = [
    ['email', config.notify.email],
    ['fallbackEmail', config.notify.fallbackEmail],
  ];
  for (const [name, e] of blocks) {
    if (!e) continue;
    const base = { from: e.from, to: e.to };
    if (e.smtp) out.push({ ...base, label: `${name} smtp ${e.smtp.host}:${e.smtp.port}`, kind: 'smtp', smtp: e.smtp });
    if (e.sendmail || !e.smtp) {
      const binary = e.sendmail ?? DEFAULT_SENDMAIL;
      out.push({ ...base, label: `${name} sendmail ${binary}`, kind: 'sendmail', binary, timeoutMs: e.smtp?.timeoutMs ?? 30_000 });
    }
  }
  return out;
}

function readPassword(file: string): string {
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? errorMessage(err);
    throw new Error(`cannot read SMTP password file ${file} (${code}): check notify.email.smtp.passwordFile`);
  }
}

function message(ch: Channel, content: MailContent) {
  return {
    from: ch.from,
    to: ch.to,
    subject: content.subject,
    text: content.text,
    ...(content.html ? { html: content.html } : {}),
    // RFC 3834: no vacation replies or bounces loops to an automated sender
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Mailer': 'mailbackup' },
  };
}

async function sendSmtp(ch: Extract<Channel, { kind: 'smtp' }>, content: MailContent): Promise<void> {
  const s = ch.smtp;
  const auth = s.user ? { user: s.user, pass: s.passwordFile ? readPassword(s.passwordFile) : '' } : undefined;
  const transport = nodemailer.createTransport({
    host: s.host,
    port: s.port,
    secure: s.secure,
    requireTLS: s.requireTls,
    tls: { rejectUnauthorized: !s.allowSelfSigned },
    auth,
    connectionTimeout: s.timeoutMs,
    greetingTimeout: s.timeoutMs,
    socketTimeout: s.timeoutMs,
    logger: false,
    debug: false,
  });
  try {
    await transport.sendMail(message(ch, content));
  } finally {
    transport.close();
  }
}

async function sendLocal(ch: Extract<Channel, { kind: 'sendmail' }>, content: MailContent): Promise<void> {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const info = await composer.sendMail(message(ch, content));
  await sendmail(ch.binary, { from: ch.from, to: ch.to }, info.message as Buffer, { timeoutMs: ch.timeoutMs });
}

export interface Delivery {
  /** label of the channel that delivered; undefined when none did */
  deliveredBy?: string;
  errors: { channel: string; error: string }[];
}

/** Tries each channel until one accepts the mail. Never throws. */
export async function deliver(list: Channel[], content: MailContent, log: Logger, what = 'notification'): Promise<Delivery> {
  const errors: Delivery['errors'] = [];
  for (const ch of list) {
    try {
      if (ch.kind === 'smtp') await sendSmtp(ch, content);
      else await sendLocal(ch, content);
      log.info({ channel: ch.label, to: ch.to, subject: content.subject }, `${what} mail sent to ${ch.to.join(', ')} via ${ch.label}`);
      return { deliveredBy: ch.label, errors };
    } catch (err) {
      const error = errorMessage(err);
      errors.push({ channel: ch.label, error });
      const left = list.length - errors.length;
      log.error({ channel: ch.label, to: ch.to, err: error }, `${what} mail could not be sent`);
      process.stderr.write(
        `mailbackup: could not send the ${what} mail "${content.subject}" via ${ch.label}: ${error}` +
          (left ? `; trying the next transport\n` : '; no transport left: check notify.email in the config and the mail server\n'),
      );
    }
  }
  return { errors };
}
