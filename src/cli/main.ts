/**
 * Entry point: parse argv, run one command, map its outcome to an exit code (the only place
 * that does), and make SIGINT/SIGTERM abort the command so it can clean up (exit 130).
 * An exception no failure class foresaw, thrown or escaping as an unhandled 'error' event or
 * rejection, is a bug: exit 70, its stack in the log file, the message saying both.
 */
import './gc-tuning.js';
import { CommanderError } from 'commander';
import { ExitCode, InterruptedError, MailbackupError, errorMessage } from '../errors.js';
import { createContext, type Context, type GlobalOptions } from './context.js';
import { buildProgram, type Dispatch } from './program.js';

const abort = new AbortController();
let exitCode: number = ExitCode.OK;
let json = false;
let current: Context | undefined;

/** Writes the stack to the run's log file; returns where it went. */
function recordBug(err: unknown): string {
  const stack = err instanceof Error ? (err.stack ?? err.message) : String(err);
  try {
    const runLog = current?.runLog();
    if (runLog?.file) {
      runLog.log.fatal({ stack, exitCode: ExitCode.INTERNAL, terminal: false }, `internal error: ${errorMessage(err)}`);
      return `the stack trace is in ${runLog.file}`;
    }
  } catch {
    /* no usable log: the stack goes to stderr below */
  }
  process.stderr.write(`${stack}\n`);
  return 'the stack trace is above';
}

function fail(err: unknown): number {
  let code: number = err instanceof MailbackupError ? err.exitCode : ExitCode.INTERNAL;
  let msg = errorMessage(err);
  if (!(err instanceof MailbackupError)) {
    msg = `internal error (this is a bug in mailbackup, please report it): ${msg}; ${recordBug(err)}`;
  } else if (code === ExitCode.OK || code === ExitCode.WARNING) {
    code = ExitCode.INTERNAL; // a thrown error is never "ok" or "warnings"
  }
  if (json) process.stdout.write(JSON.stringify({ error: msg, exitCode: code }) + '\n');
  process.stderr.write(`mailbackup: ${msg}\n`);
  return code;
}

/** An error nobody awaited or listened for: report it as a bug and stop now. */
function crash(err: unknown): never {
  process.exitCode = fail(err);
  process.exit();
}
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);
// The reader of stdout went away (`mailbackup list | head`): what is left to print is dropped and
// the command finishes as it would have, with its own exit code; a backup is never cut short by it.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') crash(err);
});

const dispatch: Dispatch = async (name, load, opts, args) => {
  const global = program.opts<GlobalOptions>();
  json = Boolean(global.json);
  const ctx = createContext(global, name, abort.signal);
  current = ctx;
  try {
    const mod = await load();
    exitCode = await mod.default(ctx, opts, ...args);
  } catch (err) {
    ctx.progress().close(); // the error line must not land inside a live progress line
    exitCode = fail(abort.signal.aborted && !(err instanceof MailbackupError) ? new InterruptedError() : err);
    if (err instanceof MailbackupError) {
      try {
        ctx.runLog().log.error({ exitCode, terminal: false }, errorMessage(err));
      } catch {
        /* logging must never hide the original failure */
      }
    }
  }
};

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (abort.signal.aborted) process.exit(ExitCode.INTERRUPTED); // second signal: stop now
    abort.abort(new InterruptedError(`interrupted by ${sig}; cleaning up`));
  });
}

const program = buildProgram(dispatch);
program.exitOverride();
program.configureOutput({ writeErr: (s) => process.stderr.write(s) });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    const benign = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(err.code);
    exitCode = benign ? ExitCode.OK : ExitCode.USAGE;
  } else {
    exitCode = fail(err);
  }
}
process.exitCode = exitCode;
