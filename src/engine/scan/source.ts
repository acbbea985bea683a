/**
 * Where a component's files come from, and what the engine reads of the previous snapshot besides
 * its manifest.index: checked before anything is written, so a wrong path in the config fails
 * the component with a message that names it.
 */
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { layout } from '../../repository/layout.js';
import type { ComponentSpec } from '../types.js';
import { ConfigError } from '../../errors.js';

export function resolveSource(spec: ComponentSpec): { srcRoot: string; entries?: string[] } {
  if ('dir' in spec.source) {
    if (!existsSync(spec.source.dir) || !lstatSync(spec.source.dir).isDirectory()) {
      throw new ConfigError(`${spec.name}: source directory ${spec.source.dir} does not exist; fix the path in the config (source.*)`);
    }
    return { srcRoot: spec.source.dir };
  }
  const { base } = spec.source;
  const entries = spec.source.entries.map((e) => normalize(e).replace(/\/+$/, '').replace(/^\.\//, ''));
  for (const e of entries) {
    if (e === '.' || e.startsWith('../') || e.startsWith('/')) {
      throw new ConfigError(`${spec.name}: entry "${e}" must be a path inside ${base}`);
    }
    if (!existsSync(join(base, e)) && !isSymlink(join(base, e))) {
      throw new ConfigError(`${spec.name}: entry "${e}" does not exist in ${base}; create it or remove it from the config (source.config)`);
    }
  }
  return { srcRoot: base, entries };
}

function isSymlink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** The kernel stamps ctime from a coarse clock that can lag the real one by a tick or two. */
const COARSE_CLOCK_LAG_MS = 20;

/** When the previous snapshot's run started (backup.json), or undefined for an older snapshot. */
export function prevStartedAt(prevDir: string): number | undefined {
  try {
    const meta = JSON.parse(readFileSync(layout.backupJson(prevDir), 'utf8')) as { startedAt?: string };
    const t = Date.parse(meta.startedAt ?? '');
    return Number.isFinite(t) ? t - COARSE_CLOCK_LAG_MS : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Entries form (config component): whether a path is one of the configured entries or inside
 * one (keep), on the way to one (descend), or outside them all (the scan skips it).
 * Returns 'keep' (an entry or inside one), 'descend' (an ancestor of an entry) or 'remove'.
 */
export function entryCoverage(path: string, entries: string[]): 'keep' | 'descend' | 'remove' {
  for (const e of entries) {
    if (path === e || path.startsWith(e + '/')) return 'keep';
  }
  for (const e of entries) if (e.startsWith(path + '/')) return 'descend';
  return 'remove';
}
