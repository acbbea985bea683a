/** The part every restore command shares: plain inputs from the context in, result printed, outcome → exit code. */
import type { Context } from '../cli/context.js';
import { flushWritten, outcomeExitCode, type RestoreEnv, type RestoreResult } from '../restore/result.js';

export async function runRestore(ctx: Context, fn: (env: RestoreEnv) => Promise<RestoreResult>): Promise<number> {
  const env: RestoreEnv = { config: ctx.config(), log: ctx.runLog().log, signal: ctx.signal, configFile: ctx.global.config, progress: ctx.progress() };
  const r = await fn(env);
  await flushWritten(r, env.signal);
  ctx.result(r.data, r.lines);
  return outcomeExitCode(r.outcome);
}
