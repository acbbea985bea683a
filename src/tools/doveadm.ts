/**
 * doveadm in the Dovecot container (or on the host, or with an explicit config file for tests).
 * After files are put back behind Dovecot's back, force-resync rebuilds its indexes and
 * quota recalc its usage; otherwise restored mail can stay invisible or over quota.
 */
import { containerDown, execArgs, type ContainerTarget } from './container.js';
import { run, type RunResult } from './shell.js';

export interface DoveadmTarget {
  container?: ContainerTarget;
  /** doveadm -c FILE (host only: tests and custom installs) */
  configFile?: string;
  /** extra environment (tests: USER/HOME for a userdb-less doveadm) */
  env?: Record<string, string>;
}

function doveadmArgv(t: DoveadmTarget, args: string[]): [string, string[]] {
  const cmd = ['doveadm', ...(t.configFile ? ['-c', t.configFile] : []), ...args];
  return t.container ? execArgs(t.container, cmd) : [cmd[0], cmd.slice(1)];
}

export async function doveadm(t: DoveadmTarget, args: string[], opts: { signal?: AbortSignal } = {}): Promise<RunResult> {
  const [file, argv] = doveadmArgv(t, args);
  return run(file, argv, { env: t.env, signal: opts.signal, normalPriority: true, timeoutMs: 30 * 60_000 });
}

/** The commands an admin would type, for messages and the runbook. */
export function forceResyncArgs(user: string, folder = '*'): string[] {
  return ['force-resync', '-u', user, folder];
}
export function quotaRecalcArgs(user: string): string[] {
  return ['quota', 'recalc', '-u', user];
}

export function describeCommand(t: DoveadmTarget, args: string[]): string {
  const [file, argv] = doveadmArgv(t, args);
  return [file, ...argv].map((a) => (/^[\w@./=:-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

export interface AfterRestoreResult {
  ok: boolean;
  warnings: string[];
}

/**
 * force-resync then quota recalc. Failures are warnings: the files are already restored and
 * the admin can run the printed command by hand. Quota recalc fails when no quota plugin is
 * configured; that is not a problem worth a warning.
 */
/** Why doveadm failed: the container's state when that is the cause, else its first line. */
function why(t: DoveadmTarget, r: RunResult): string {
  const down = t.container && containerDown(t.container, r);
  return down ? down.message : `exit ${r.exitCode}: ${r.stderr.trim().split('\n')[0] ?? ''}`;
}

export async function resyncAfterRestore(t: DoveadmTarget, user: string, signal?: AbortSignal): Promise<AfterRestoreResult> {
  const warnings: string[] = [];
  const resync = await doveadm(t, forceResyncArgs(user), { signal });
  if (resync.exitCode !== 0) {
    warnings.push(`doveadm force-resync failed (${why(t, resync)}); run it by hand: ${describeCommand(t, forceResyncArgs(user))}`);
    return { ok: false, warnings };
  }
  const quota = await doveadm(t, quotaRecalcArgs(user), { signal });
  if (quota.exitCode !== 0 && !/Unknown command|quota.*not|plugin/i.test(quota.stderr)) {
    warnings.push(`doveadm quota recalc failed (${why(t, quota)}); run it by hand: ${describeCommand(t, quotaRecalcArgs(user))}`);
  }
  return { ok: warnings.length === 0, warnings };
}
