/**
 * The only place that spawns processes. Every child runs at low CPU and I/O priority
 * (nice/ionice, FR-01/NFR-02) unless the caller opts out, and every argv is logged.
 * Secrets never go into argv (invariant 7 of docs/invariants.md): callers hand them over through `env` or stdin.
 */
import { execa, type ResultPromise } from 'execa';
import { ToolError } from '../errors.js';

export interface Priority {
  /** nice level for children, 0 disables */
  nice: number;
  /** ionice class: 3 idle, 2 best-effort; 0 disables */
  ioniceClass: 0 | 1 | 2 | 3;
}

let priority: Priority = { nice: 0, ioniceClass: 0 };
let argvLog: ((entry: { file: string; args: readonly string[] }) => void) | undefined;

export function setPriority(p: Priority): void {
  priority = p;
}

/** Called for every spawned argv (the logger records them at debug level). */
export function onSpawn(listener: typeof argvLog): void {
  argvLog = listener;
}

export interface RunOptions {
  cwd?: string;
  /** extra environment for the child; values stay out of argv */
  env?: Record<string, string | undefined>;
  input?: string | Buffer;
  inputFile?: string;
  /** run at normal priority (quick probes that must not wait behind the I/O scheduler) */
  normalPriority?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** signal name when the child was killed */
  signal?: string;
}

function wrap(file: string, args: readonly string[], normal?: boolean): [string, string[]] {
  if (normal) return [file, [...args]];
  const prefix: string[] = [];
  if (priority.ioniceClass) prefix.push('ionice', '-c', String(priority.ioniceClass));
  if (priority.nice) prefix.push('nice', '-n', String(priority.nice));
  if (prefix.length === 0) return [file, [...args]];
  return [prefix[0], [...prefix.slice(1), file, ...args]];
}

/** Runs a program to completion; a non-zero exit is returned, not thrown. */
export async function run(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const [cmd, argv] = wrap(file, args, opts.normalPriority);
  argvLog?.({ file: cmd, args: argv });
  try {
    const r = await execa(cmd, argv, {
      cwd: opts.cwd,
      env: opts.env,
      extendEnv: true,
      input: opts.input,
      inputFile: opts.inputFile,
      timeout: opts.timeoutMs,
      cancelSignal: opts.signal,
      reject: false,
      stripFinalNewline: false,
      maxBuffer: 256 * 1024 * 1024,
    });
    if (r.failed && r.exitCode === undefined && !r.signal) {
      // spawn itself failed (ENOENT): the program is not installed
      throw new ToolError(`cannot run ${file}: ${r.shortMessage}; is it installed and on PATH?`);
    }
    return { exitCode: r.exitCode ?? 128, stdout: decodeOutput(r.stdout), stderr: decodeOutput(r.stderr), signal: r.signal };
  } catch (err) {
    if (err instanceof ToolError) throw err;
    throw new ToolError(`cannot run ${file}: ${(err as Error).message}`);
  }
}

/**
 * Starts a program whose stdout the caller consumes as a stream (dumps, restores).
 * The caller awaits the returned promise for the exit status.
 */
export function spawnStream(
  file: string,
  args: readonly string[],
  opts: RunOptions & { stdin?: 'pipe' | 'ignore'; stdout?: 'pipe' | 'ignore' } = {},
): ResultPromise {
  const [cmd, argv] = wrap(file, args, opts.normalPriority);
  argvLog?.({ file: cmd, args: argv });
  return execa(cmd, argv, {
    cwd: opts.cwd,
    env: opts.env,
    extendEnv: true,
    stdin: opts.stdin ?? 'ignore',
    stdout: opts.stdout ?? 'pipe',
    buffer: { stdout: false, stderr: true },
    encoding: 'buffer',
    reject: false,
    cancelSignal: opts.signal,
    timeout: opts.timeoutMs,
  });
}

/** A child's output as text: execa hands `encoding: 'buffer'` streams back as Uint8Array. */
function decodeOutput(out: unknown): string {
  if (out === undefined || out === null) return '';
  return typeof out === 'string' ? out : Buffer.from(out as Uint8Array).toString('utf8');
}

/**
 * The exit of a spawnStream child, stderr decoded once here, so no caller turns bytes into
 * text itself (String() of a Uint8Array is a list of byte values).
 */
export async function streamExit(child: ResultPromise, file: string): Promise<RunResult> {
  const r = await child;
  if (r.exitCode === undefined && r.signal === undefined && r.failed) {
    throw new ToolError(`cannot run ${file}: ${r.shortMessage}; is it installed and on PATH?`);
  }
  return { exitCode: r.exitCode ?? 128, stdout: '', stderr: decodeOutput(r.stderr), signal: r.signal };
}

/** True when `file` can be executed (searches PATH). */
export async function which(file: string): Promise<string | undefined> {
  const r = await run('sh', ['-c', 'command -v "$1"', 'sh', file], { normalPriority: true });
  const found = r.stdout.trim();
  return r.exitCode === 0 && found ? found : undefined;
}
