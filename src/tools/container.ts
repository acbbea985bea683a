/**
 * Runs a program inside the configured container (docker/podman exec) or on the host.
 * Secrets travel as `-e NAME` (no value): the container runtime copies the value from its own
 * environment, so it never appears in any argv (invariant 7 of docs/invariants.md).
 * A failed exec is classified here, once, for both runtimes' wording (container-failure.ts).
 */
import { ContainerDownError } from '../errors.js';
import { classifyExecFailure, containerDownMessage, parseStartedAt } from './container-failure.js';
import { run, type RunResult } from './shell.js';

export type Runtime = 'docker' | 'podman' | 'host';

export interface ContainerTarget {
  runtime: Runtime;
  container: string;
}

export interface ExecOptions {
  /** names of environment variables to pass through (values come from the caller's env) */
  env?: string[];
  /** keep stdin open (-i) */
  stdin?: boolean;
}

export function execArgs(t: ContainerTarget, cmd: string[], opts: ExecOptions = {}): [string, string[]] {
  if (t.runtime === 'host') return [cmd[0], cmd.slice(1)];
  const args = ['exec'];
  if (opts.stdin) args.push('-i');
  for (const name of opts.env ?? []) args.push('-e', name);
  args.push(t.container, ...cmd);
  return [t.runtime, args];
}

export function describeTarget(t: ContainerTarget): string {
  return t.runtime === 'host' ? 'this host' : `${t.runtime} container ${t.container}`;
}

/** Runs `cmd` in the target; `secrets` are handed over through the environment only. */
export async function execIn(
  t: ContainerTarget,
  cmd: string[],
  opts: { secrets?: Record<string, string>; input?: string; signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<RunResult> {
  const names = Object.keys(opts.secrets ?? {});
  const [file, args] = execArgs(t, cmd, { env: names, stdin: opts.input !== undefined });
  return run(file, args, { env: opts.secrets, input: opts.input, signal: opts.signal, timeoutMs: opts.timeoutMs });
}

/** The typed error when a failed exec says the container is stopped, missing or restarting. */
export function containerDown(t: ContainerTarget, r: Pick<RunResult, 'exitCode' | 'stderr'>): ContainerDownError | undefined {
  if (t.runtime === 'host') return undefined;
  const state = classifyExecFailure(r.exitCode, r.stderr);
  return state && new ContainerDownError(containerDownMessage(t.runtime, t.container, state, r.stderr), state);
}

export interface ContainerState {
  /** created, running, restarting, paused, exited, stopped, … as the runtime says */
  status: string;
  /** when the container (last) started, ms since the epoch */
  startedMs?: number;
}

/** `inspect` of the container; undefined when it does not exist (or the runtime cannot say). */
async function containerState(t: ContainerTarget): Promise<ContainerState | undefined> {
  if (t.runtime === 'host') return { status: 'running' };
  const r = await run(t.runtime, ['inspect', '-f', '{{.State.Status}}|{{.State.StartedAt}}', t.container], { normalPriority: true });
  if (r.exitCode !== 0) return undefined;
  const [status, started] = r.stdout.trim().split('|');
  return { status, startedMs: parseStartedAt(started ?? '') };
}

/**
 * After an exec failed without saying why (podman reports an exec killed by a restart as plain
 * exit 137): was the container restarted, stopped or removed since `sinceMs`?
 */
export async function downSince(t: ContainerTarget, sinceMs: number, detail: string): Promise<ContainerDownError | undefined> {
  if (t.runtime === 'host') return undefined;
  const s = await containerState(t);
  const state = !s ? 'missing' : s.status === 'running' ? (s.startedMs !== undefined && s.startedMs > sinceMs ? 'restarting' : undefined) : s.status === 'restarting' ? 'restarting' : 'stopped';
  return state && new ContainerDownError(containerDownMessage(t.runtime, t.container, state, detail), state);
}

/**
 * The server's own failures a retry may fix: not accepting connections yet, too busy, gone away
 * mid-query. The container's state (stopped, missing, restarting) is containerDown's.
 */
export function isTransientFailure(stderr: string): boolean {
  return /Can't connect|Connection refused|Too many connections|server has gone away|Lost connection to (MySQL|MariaDB|server)/i.test(stderr);
}
