/**
 * Entry point: parse argv, run one command, map its outcome to an exit code (the only place
 * that does), and make SIGINT/SIGTERM abort the command so it can clean up (exit 130).
 */
import { CommanderError } from 'commander';
import { ExitCode, InterruptedError, MailbackupError, errorMessage } from '../errors.js';
import { createContext, type GlobalOptions } from './context.js';
import { buildProgram, type Dispatch } from './program.js';

const abort = new AbortController();
let exitCode: number = ExitCode.OK;
let json = false;

function fail(err: unknown): number {
  const code = err instanceof MailbackupError ? err.exitCode : ExitCode.FAILED;
  const msg = errorMessage(err);
  if (json) process.stdout.write(JSON.stringify({ error: msg, exitCode: code }) + '\n');
  process.stderr.write(`mailbackup: ${msg}\n`);
  if (!(err instanceof MailbackupError) && process.env.MAILBACKUP_DEBUG) {
    process.stderr.write(`${(err as Error).stack}\n`);
  }
  return code;
}

const dispatch: Dispatch = async (name, load, opts, args) => {
  const global = program.opts() as GlobalOptions;
  json = Boolean(global.json);
  const ctx = createContext(global, name, abort.signal);
  try {
    const mod = await load();
    exitCode = await mod.default(ctx, opts, ...args);
  } catch (err) {
    exitCode = fail(abort.signal.aborted && !(err instanceof MailbackupError) ? new InterruptedError() : err);
    try {
      ctx.runLog().log.error({ exitCode, terminal: false }, errorMessage(err));
    } catch {
      /* logging must never hide the original failure */
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
