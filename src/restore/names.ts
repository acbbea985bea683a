/**
 * What a user may type for --user, --folder, --into-folder and database names, and how a
 * folder name maps onto a Maildir++ directory. Everything that reaches a path is checked
 * here first, so no argument can climb out of the mailbox or the mail store.
 */
import { UsageError } from '../errors.js';
import { toAddress, type Address } from '../mailbox/layout.js';
import { folderDir } from '../mailbox/maildir.js';

const FORBIDDEN = /[\0\n\r]/;

function refuseUnsafe(what: string, value: string): void {
  if (FORBIDDEN.test(value)) throw new UsageError(`${what} must not contain NUL or line breaks`);
  if (value.startsWith('/')) throw new UsageError(`${what} "${value}" must not be an absolute path`);
  if (value.split(/[/.]/).includes('..') || value.includes('..')) {
    throw new UsageError(`${what} "${value}" must not contain ".."`);
  }
}

export type { Address } from '../mailbox/layout.js';
export { folderDir, folderName } from '../mailbox/maildir.js';

/** alice@Example.COM, user2@例え.jp → the address as the mail store holds it (src/mailbox/layout.ts) */
export function parseAddress(value: string): Address {
  refuseUnsafe('--user', value);
  const m = /^([^@\s/\\]+)@([^@\s/\\]+)$/.exec(value);
  if (!m || m[1].startsWith('.') || m[2].startsWith('.')) {
    throw new UsageError(`--user "${value}" is not a mail address like alice@example.com`);
  }
  try {
    return toAddress(m[1], m[2]);
  } catch {
    throw new UsageError(`--user "${value}": "${m[2]}" is not a valid domain name`);
  }
}

/**
 * Normalizes a folder name as users write it: "INBOX", "Archive/2024", "日本語".
 * A Maildir++ spelling (".Archive.2024", "Archive.2024") is accepted too when it is unambiguous
 * for the caller (matchFolder tries both).
 */
export function checkFolderName(what: string, value: string): string {
  refuseUnsafe(what, value);
  const name = value.replace(/^\/+|\/+$/g, '');
  if (!name || name.split('/').some((s) => s === '' || s === '.')) {
    throw new UsageError(`${what} "${value}" is not a folder name like INBOX or Archive/2024`);
  }
  return name.toUpperCase() === 'INBOX' ? 'INBOX' : name;
}

/** Finds the folder the user meant among those that exist; UsageError with the closest names otherwise. */
export function matchFolder(input: string, existing: string[], where: string): string {
  const wanted = checkFolderName('--folder', input);
  const byDir = new Map(existing.map((n) => [folderDir(n), n]));
  const hit =
    existing.find((n) => n === wanted) ??
    byDir.get(wanted.startsWith('.') ? wanted : '.' + wanted) ??
    existing.find((n) => n.toLowerCase() === wanted.toLowerCase());
  if (hit) return hit;
  throw new UsageError(`folder "${input}" is not in ${where}${suggest(wanted, existing)}`);
}

/** " (closest: a, b, c)" or "" */
export function suggest(wanted: string, candidates: string[], n = 3): string {
  const near = closest(wanted, candidates, n);
  return near.length ? ` (closest: ${near.join(', ')})` : '';
}

export function closest(wanted: string, candidates: string[], n = 3): string[] {
  const w = wanted.toLowerCase();
  return candidates
    .map((c) => ({ c, d: distance(w, c.toLowerCase()) - (c.toLowerCase().includes(w) || w.includes(c.toLowerCase()) ? 2 : 0) }))
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .slice(0, n)
    .map((x) => x.c);
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

export function checkDatabaseName(what: string, value: string): string {
  if (!/^[A-Za-z0-9_$-]{1,64}$/.test(value)) {
    throw new UsageError(`${what} "${value.replace(FORBIDDEN, '?')}" is not a plain database name (letters, digits, _ $ -)`);
  }
  return value;
}

/** --since/--until: YYYY-MM-DD (local midnight) or an ISO date-time. */
export function parseDate(what: string, value: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const t = m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])).getTime() : Date.parse(value);
  if (Number.isNaN(t) || (m && new Date(t).getDate() !== Number(m[3]))) {
    throw new UsageError(`${what} "${value}" is not a date like 2026-11-01 or 2026-11-01T08:00:00`);
  }
  return t;
}
