/**
 * Runs a program inside the configured container (docker/podman exec) or on the host.
 * Secrets travel as `-e NAME` (no value): the container runtime copies the value from its own
 * environment, so it never appears in any argv (invariant 7 of docs/invariants.md).
 */
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

/** True when the container runs (always true for the host). */
export async function isRunning(t: ContainerTarget): Promise<boolean> {
  if (t.runtime === 'host') return true;
  const r = await run(t.runtime, ['inspect', '-f', '{{.State.Running}}', t.container], { normalPriority: true });
  return r.exitCode === 0 && r.stdout.trim() === 'true';
}

/**
 * Failures a retry may fix: the container is restarting or being recreated, the server is not
 * accepting connections yet. A dump killed by a signal is not transient: somebody stopped it.
 */
export function isTransientFailure(stderr: string): boolean {
  return /is restarting|is not running|No such container|Can't connect|Connection refused|Too many connections|server has gone away|Lost connection to (MySQL|MariaDB|server)/i.test(
    stderr,
  );
}
