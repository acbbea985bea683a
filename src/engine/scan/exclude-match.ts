/**
 * rsync's --exclude matching, for the engine's own walk of the source (scan.ts): a path rsync
 * skips must be skipped there too, or the snapshot would hardlink an excluded file from the
 * previous one. This mirrors rule_matches() of rsync's exclude.c and its wildmatch(), quirks
 * included, rather than a glob library whose idea of `**`, of `[` or of a slash differs: a
 * "nearly rsync" matcher fails silently. Checked against real rsync in the unit test.
 *
 * --exclude honours the old "- " / "+ " prefixes and a lone "!" (clear the list), so those are
 * handled too: a config value "+ keep" is an include to rsync, whatever it looks like.
 */

/** Compiled rsync --exclude patterns for one transfer. */
export interface ExcludeMatcher {
  /** true when rsync would exclude this path. `rel` is relative to the transfer root (no leading slash, '/' separated), `isDir` whether it is a directory. */
  excludes(rel: string, isDir: boolean): boolean;
  /** true when no pattern can exclude anything (none, or only "+ " ones): the fast path */
  readonly empty: boolean;
}

interface Rule { include: boolean; matches(rel: string, isDir: boolean): boolean }

// wildmatch works on bytes: `?` is one byte of a UTF-8 name, ranges compare bytes
const isAscii = (s: string) => !/[^\p{ASCII}]/u.test(s);
const bytes = (s: string) => (isAscii(s) ? s : Buffer.from(s, 'utf8').toString('latin1'));
const hex = (c: string) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;

// wildmatch's [:name:] classes are ASCII only (ISASCII && isxxx)
const NAMED: Record<string, string> = {
  alnum: '0-9A-Za-z', alpha: 'A-Za-z', blank: ' \\t', cntrl: '\\x00-\\x1f\\x7f', digit: '0-9', graph: '!-~',
  lower: 'a-z', print: ' -~', punct: '!-\\/:-@\\[-`{-~', space: '\\t-\\r ', upper: 'A-Z', xdigit: '0-9A-Fa-f',
};

/** The `[...]` at p[i], parsed as wildmatch does; undefined where wildmatch aborts (no match at all). */
function charClass(p: string, i: number): { re: string; end: number } | undefined {
  let j = i + 1;
  const negated = p[j] === '!' || p[j] === '^';
  if (negated) j++;
  let set = '', prev = ''; // prev '' where wildmatch's prev_ch is 0: no range may start from it
  do {
    let c: string | undefined = p[j];
    if (c === undefined) return undefined;
    if (c === '\\') {
      c = p[++j];
      if (c === undefined) return undefined;
      set += hex(c);
    } else if (c === '-' && prev && p[j + 1] !== undefined && p[j + 1] !== ']') {
      c = p[++j];
      if (c === '\\' && (c = p[++j]) === undefined) return undefined;
      if (prev <= c) set += `${hex(prev)}-${hex(c)}`;
      c = '';
    } else if (c === '[' && p[j + 1] === ':') {
      const close = p.indexOf(']', j + 2);
      if (close < 0) return undefined;
      if (close - (j + 2) - 1 >= 0 && p[close - 1] === ':') {
        const named = NAMED[p.slice(j + 2, close - 1)];
        if (named === undefined) return undefined;
        set += named;
        j = close;
        c = '';
      } else set += hex('['); // no ":]": a plain '[' and the parse goes on after it
    } else set += hex(c);
    prev = c;
  } while (p[++j] !== ']');
  // a class never matches '/'
  return { re: negated ? `[^${set}/]` : `(?!/)[${set}]`, end: j };
}

/** Regex source for a wildmatch pattern; undefined for one that can never match. */
function wildRegex(p: string): string | undefined {
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '*') {
      let n = 1;
      while (p[i + 1] === '*') {
        i++;
        n++;
      }
      re += n > 1 ? '[\\s\\S]*' : '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const cls = charClass(p, i);
      if (!cls) return undefined;
      re += cls.re;
      i = cls.end;
    } else if (c === '\\') {
      if (++i >= p.length) return undefined; // wildmatch compares the NUL after it: never a match
      re += hex(p[i]);
    } else re += hex(c);
  }
  return re;
}

/** exclude.c's trailing_N_elements: the last n components, none if the path has fewer. */
function trailing(text: string, n: number): string | undefined {
  let i = text.length;
  for (let k = 0; k < n; k++) {
    i = i > 0 ? text.lastIndexOf('/', i - 1) : -1;
    if (i < 0) return k === n - 1 ? text : undefined;
  }
  return text.slice(i + 1);
}

function compileRule(raw: string, include: boolean): Rule {
  let pat = bytes(raw);
  const dirOnly = pat.length > 1 && pat.endsWith('/');
  if (dirOnly) pat = pat.slice(0, -1);
  const slashes = pat.split('/').length - 1;
  const anchored = pat.startsWith('/');
  const body = anchored ? pat.slice(1) : pat;
  // the flags look at the raw text, an escaped "\**" included, as rsync's strstr does
  const wild = /[*?[]/.test(pat);
  const wild2 = wild && pat.includes('**');
  const wild2Prefix = wild2 && pat.startsWith('**');
  const wild3 = wild2 && pat.endsWith('***');
  const where = !anchored && slashes && !wild2 ? slashes + 1 : !anchored && wild2 && !wild2Prefix ? -1 : 0;
  const src = wild ? wildRegex(body) : undefined;
  const re = src === undefined ? undefined : new RegExp(where < 0 ? `^(?:[\\s\\S]*/)?(?:${src})$` : `^(?:${src})$`);
  return {
    include,
    matches(rel, isDir) {
      if (dirOnly && !isDir) return false;
      let name = bytes(rel);
      // no slash and no "**": only the last component counts
      if (!slashes && !wild2) name = name.slice(name.lastIndexOf('/') + 1);
      if (!wild) return name === body || (!anchored && name.endsWith('/' + body));
      if (!re) return false;
      // "**/x" may match at the root, "x/***" the directory x itself
      const text = (wild2Prefix ? '/' : '') + name + (isDir && wild3 ? '/' : '');
      const t = where > 0 ? trailing(text, where) : text;
      return t !== undefined && re.test(t);
    },
  };
}

export function compileExcludes(patterns: string[] | undefined): ExcludeMatcher {
  let rules: Rule[] = [];
  for (const p of patterns ?? []) {
    if (p === '!') rules = [];
    else if (p.startsWith('- ') || p.startsWith('+ ')) {
      // rsync refuses a bare "- " (usage error), so the run fails anyway
      if (p.length > 2) rules.push(compileRule(p.slice(2), p[0] === '+'));
    } else if (p) rules.push(compileRule(p, false));
  }
  return {
    empty: !rules.some((r) => !r.include),
    excludes(rel, isDir) {
      // first match wins: an earlier "+ " rule keeps what a later exclude names
      for (const r of rules) if (r.matches(rel, isDir)) return !r.include;
      return false;
    },
  };
}
