/**
 * `offsite check`: restic's own check of the repository's structure, optionally reading all
 * or a part of the data. A rolling check reads part n of T, the next part on each run, so all
 * of the data is read within T runs (weekly: T weeks). The result is recorded for status.
 */
import type { Config, OffsiteRepository } from '../config/schema.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { classifyResticError, resticError } from '../tools/restic.js';
import { checkRepository } from '../tools/restic-commands.js';
import { nextRollingPart, parseSubset, type Subset } from './plan.js';
import { offsiteConfig } from './repos.js';
import { readOffsiteState, updateOffsiteState } from './state.js';

export type CheckMode = { readData: 'none' } | { readData: 'all' } | { readData: 'subset'; subset: Subset } | { readData: 'rolling' };

export interface CheckResult {
  repository: string;
  mode: string;
  ok: boolean;
  /** damage found (exit 2) rather than the repository being unreachable (also exit 2) */
  damage: boolean;
  error?: string;
}

export function checkModeFrom(opts: { readData?: boolean; readDataSubset?: string | boolean }): CheckMode {
  if (opts.readDataSubset === true) return { readData: 'rolling' };
  if (typeof opts.readDataSubset === 'string') return { readData: 'subset', subset: parseSubset(opts.readDataSubset) };
  return opts.readData ? { readData: 'all' } : { readData: 'none' };
}

export async function checkOne(config: Config, repo: OffsiteRepository, mode: CheckMode, log: Logger, signal?: AbortSignal): Promise<CheckResult> {
  const root = config.destination.root;
  const state = readOffsiteState(root, repo.name);
  const subset = mode.readData === 'rolling' ? nextRollingPart(state.rollingPart, offsiteConfig(config).checkWeeks) : mode.readData === 'subset' ? mode.subset : undefined;
  const args = mode.readData === 'all' ? ['--read-data'] : subset ? ['--read-data-subset', `${subset.n}/${subset.t}`] : [];
  const label = args.join(' ') || 'structure';
  log.info({ repository: repo.name, mode: label }, 'checking the offsite repository');
  const r = await checkRepository(repo, args, signal);
  const kind = r.exitCode === 0 ? undefined : classifyResticError(r.stderr + r.stdout);
  const result: CheckResult = { repository: repo.name, mode: label, ok: r.exitCode === 0, damage: r.exitCode !== 0 && (kind === 'damage' || kind === 'other') };
  if (!result.ok) {
    result.error = result.damage
      ? `offsite repository ${repo.name}: restic check (${label}) found errors: ${lastLines(r.stdout + '\n' + r.stderr)}; see docs/offsite.md ("damage in a repository")`
      : resticError(repo, `restic check (${label})`, r).message;
    log.error({ repository: repo.name, mode: label }, result.error);
  } else log.info({ repository: repo.name, mode: label }, 'offsite repository checked: no errors');
  try {
    updateOffsiteState(config, repo.name, {
      lastCheck: { at: new Date().toISOString(), mode: label, ok: result.ok, ...(result.error ? { error: result.error } : {}) },
      ...(mode.readData === 'rolling' && result.ok ? { rollingPart: subset } : {}),
    });
  } catch (err) {
    log.warn({ err: errorMessage(err) }, 'cannot record the check result under .state/ (is the backup disk there?)');
  }
  return result;
}

function lastLines(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !/^\[\d+:\d+\]/.test(l));
  return lines.slice(-3).join(' / ');
}
