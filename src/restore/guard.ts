/**
 * The checks every restore makes before it writes anything: where it may write, whether the
 * admin confirmed, and that the snapshot can be used. Each refusal says what to do instead.
 */
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { dirname, resolve, sep } from 'node:path';
import { UsageError } from '../errors.js';

/** Real path of `p`, resolving symlinks of the part that exists (the rest may not exist yet). */
function realish(p: string): string {
  const abs = resolve(p);
  if (existsSync(abs)) return realpathSync(abs);
  const parent = dirname(abs);
  return parent === abs ? abs : resolve(realish(parent), abs.slice(parent.length + 1));
}

export function isInside(child: string, parent: string): boolean {
  const c = realish(child);
  const p = realish(parent);
  return c === p || c.startsWith(p.endsWith(sep) ? p : p + sep);
}

/** --to must not land in live data or on the backup disk's own tree. */
export function checkTargetDir(to: string, forbidden: { path: string; what: string }[]): string {
  if (/[\0\n]/.test(to)) throw new UsageError('--to must not contain NUL or line breaks');
  const abs = resolve(to);
  for (const f of forbidden) {
    if (isInside(abs, f.path) || isInside(f.path, abs)) {
      throw new UsageError(`--to ${abs} overlaps ${f.what} (${f.path}); choose a directory outside it, e.g. /root/restore`);
    }
  }
  return abs;
}

export function isEmptyDir(p: string): boolean {
  return !existsSync(p) || readdirSync(p).length === 0;
}

export function requireEmptyOrYes(to: string, yes: boolean | undefined): void {
  if (!isEmptyDir(to) && !yes) {
    throw new UsageError(`--to ${to} is not empty; choose an empty directory, or pass --yes to add to it (existing files are kept)`);
  }
}

/**
 * In-place work needs --yes, or a "yes" typed on a terminal. Without a terminal (cron, ssh
 * without -t, a pipe) it refuses rather than guess.
 */
export async function confirm(what: string, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    throw new UsageError(`refusing to ${what} without confirmation: no terminal to ask on; check the plan with --dry-run, then pass --yes`);
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`About to ${what}. Type "yes" to go on: `);
    if (answer.trim().toLowerCase() !== 'yes') throw new UsageError('not confirmed; nothing was changed');
  } finally {
    rl.close();
  }
}

/** "  to copy: 12  (cur/a, cur/b, … 10 more)" */
export function sampleLine(label: string, items: string[], n = 5): string {
  if (items.length === 0) return `  ${label}: 0`;
  const shown = items.slice(0, n).join(', ');
  const more = items.length > n ? `, … ${items.length - n} more` : '';
  return `  ${label}: ${items.length}  (${shown}${more})`;
}
