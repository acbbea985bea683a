/**
 * What every command group registers with: the exit-status and locking texts each command's help
 * ends with, and the helpers that add a subcommand and hand its run to the dispatcher.
 */
import type { Command } from 'commander';
import type { Context } from '../context.js';

// opts and arguments are each command's own (commander hands them over untyped)
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- every command module has its own option type
export type CommandModule = { default: (ctx: Context, opts: any, ...args: any[]) => Promise<number> };
export type Dispatch = (name: string, load: () => Promise<CommandModule>, opts: object, args: unknown[]) => Promise<void>;

export const EXIT_STATUS = `
Exit status:
  0   OK
  1   completed with warnings
  2   failed, or damage found
  3   could not determine (status, verify)
  64  usage error
  70  internal error (a bug: the message names the log file with the stack trace)
  75  another run holds the lock
  78  configuration error
  130 interrupted (cleaned up)`;

/** How each command locks the destination (src/repository/destination.ts). */
export const LOCKING = {
  exclusive:
    '\nLocking: takes the destination lock (.lock) for its whole run; another live run gives exit 75. ' +
    'A lock left by a run that is gone (crash, power cut: an earlier boot, a dead, zombie or reused pid) is ' +
    'taken over with a warning naming it; a lock from another machine needs --force-unlock or `mailbackup unlock`. ' +
    'Snapshots a reader (verify, restore, drill) holds are not deleted: rotation defers them to its next run.',
  shared:
    '\nLocking: holds the snapshot(s) it reads with a reader lock under .readers/, so a rotation that runs ' +
    'meanwhile defers deleting them; it does not wait for, or block, a running backup.',
  check: '\nLocking: none (reads only backup.json and directory names).',
} as const;

export interface Registrar {
  program: Command;
  /** a top-level subcommand: `--help` lists its summary, `help <command>` the whole text */
  sub: (name: string, description: string, summary?: string) => Command;
  /** the action that loads the command's module and runs it through the dispatcher */
  action: (name: string, load: () => Promise<CommandModule>) => (...all: unknown[]) => Promise<void>;
}

export function registrar(program: Command, dispatch: Dispatch): Registrar {
  const sub = (name: string, description: string, summary = description.split('\n')[0]) =>
    program.command(name).summary(summary).description(description).addHelpText('after', EXIT_STATUS);
  const action =
    (name: string, load: () => Promise<CommandModule>) =>
    (...all: unknown[]) => {
      const cmd = all[all.length - 1] as Command;
      const opts = cmd.opts();
      return dispatch(name, load, opts, all.slice(0, -2));
    };
  return { program, sub, action };
}

/** The message filters `find` and `restore mail` share (`--to` is find's name for the recipient). */
export function filters(c: Command, recipient: '--to' | '--recipient'): Command {
  return c
    .option('--user <address>', 'only this mailbox, e.g. alice@example.com')
    .option('--folder <name>', 'only this folder, e.g. INBOX or Archive/2024')
    .option('--from <text>', 'From contains this text (decoded, any case)')
    .option(`${recipient} <text>`, 'To contains this text (decoded, any case)')
    .option('--subject <text>', 'Subject contains this text (decoded, any case; 請求書 finds =?ISO-2022-JP?…)')
    .option('--message-id <id>', 'this Message-ID (angle brackets optional)')
    .option('--since <date>', 'delivered on or after this date')
    .option('--until <date>', 'delivered before this date');
}
