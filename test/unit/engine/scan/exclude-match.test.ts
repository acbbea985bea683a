/** The engine's walk must skip exactly what rsync's --exclude skips: checked against rsync itself. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { compileExcludes } from '../../../../src/engine/scan/exclude-match.js';

const DIRS = ['dir/sub', 'tmp', '.Trash/x', 'cur', 'a/b/c', 'x/tmp', 'sp ace', 'Tmp'];
const FILES = [
  'a.log', 'dir/a.log', 'dir/sub/x.tmp', 'dir/tmp', 'tmp/inner', '.Trash/x/m', 'cur/1.M2:2,S', 'cur/2.M3:2,RS',
  'a/f', 'a/b/c/f', 'x/tmp/y', 'sp ace/f [1].txt', 'a[b', 'axb', 'dir/axb', 'b\\c', 'b*', '!x', '.hid', 'é.txt', 'e.txt',
];

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'exclude-match-'));
  for (const d of DIRS) mkdirSync(join(root, d), { recursive: true });
  for (const f of FILES) {
    mkdirSync(dirname(join(root, f)), { recursive: true });
    writeFileSync(join(root, f), '');
  }
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function rsyncList(patterns: string[]): string[] {
  // -8: names as raw bytes, not \#ooo escapes
  const out = execFileSync('rsync', ['-r8', '--list-only', ...patterns.map((p) => `--exclude=${p}`), `${root}/`], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/^(\S+\s+){4}/, ''))
    .filter((n) => n !== '.')
    .sort();
}

function walk(patterns: string[]): string[] {
  const m = compileExcludes(patterns);
  const out: string[] = [];
  const visit = (rel: string) => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (m.excludes(path, e.isDirectory())) continue;
      out.push(path);
      if (e.isDirectory()) visit(path);
    }
  };
  visit('');
  return out.sort();
}

const SETS: string[][] = [
  ['*.log'], ['tmp/'], ['tmp'], ['/tmp'], ['/tmp/'], ['[Tt]mp/'], ['.*'], ['.Trash/'],
  // a slash inside: the whole path, at any component boundary unless anchored
  ['sub/*.tmp'], ['sub/x.tmp'], ['/dir/sub'], ['*/a.log'], ['b/c'],
  // ** crosses slashes; /*** takes the directory too
  ['a/b/***'], ['b/***'], ['a/b/**'], ['**/tmp'], ['**tmp'], ['x**'], ['a/**/f'], ['/a/**'],
  // maildir names
  ['*:2,S'], ['cur/?.M2*'],
  // classes, and backslashes (an escape only in a pattern with a wildcard)
  ['f \\[1\\].txt', 'a\\[b', 'b\\c', 'b\\*'], ['*[[]*'], ['[!a-z]*'], ['[^.]*'], ['[[:upper:]]*'], ['[]a]*'], ['* *'],
  // none of these matches anything in rsync: a class is not literal, an unterminated one or an
  // unknown [:name:] aborts the match, a trailing backslash never matches, the '/' in a[!/]b
  // counts as a component boundary that the class can never match
  ['f [1].txt', 'a[b', '[[:foo:]]*', '*\\', 'a[!/]b', '/sub/x.tmp'],
  // ? is one byte: é is two
  ['?.txt'], ['??.txt'],
  // several, and --exclude's old prefixes: "- ", "+ " and a lone "!" that clears the list
  ['a.log', 'cur/', 'b'], ['+ a.log', '*.log'], ['- a.log'], ['*.log', '!', 'tmp'], ['!x'], ['+ tmp/', 'tmp', 'x'],
];

describe('compileExcludes against rsync --list-only', () => {
  it.each(SETS.map((patterns) => ({ name: patterns.join(' | '), patterns })))('$name', ({ patterns }) => {
    expect(walk(patterns)).toEqual(rsyncList(patterns));
  });
});

describe('compileExcludes', () => {
  it('has a fast path for no patterns, or only includes', () => {
    expect(compileExcludes(undefined).empty).toBe(true);
    expect(compileExcludes([]).excludes('a', false)).toBe(false);
    expect(compileExcludes(['+ a']).empty).toBe(true);
    expect(compileExcludes(['a']).empty).toBe(false);
  });

  it('takes a trailing slash as directories only', () => {
    const m = compileExcludes(['tmp/']);
    expect(m.excludes('x/tmp', true)).toBe(true);
    expect(m.excludes('x/tmp', false)).toBe(false);
  });

  it('anchors a leading slash at the root', () => {
    const m = compileExcludes(['/a/b']);
    expect(m.excludes('a/b', false)).toBe(true);
    expect(m.excludes('x/a/b', false)).toBe(false);
    expect(compileExcludes(['a/b']).excludes('x/a/b', false)).toBe(true);
  });

  it('lets * stop at a slash and ** cross it', () => {
    expect(compileExcludes(['a/*']).excludes('a/b/c', false)).toBe(false);
    expect(compileExcludes(['a/**']).excludes('a/b/c', false)).toBe(true);
  });

  it('matches the directory itself with /***, but not with /**', () => {
    expect(compileExcludes(['a/***']).excludes('a', true)).toBe(true);
    expect(compileExcludes(['a/**']).excludes('a', true)).toBe(false);
  });
});
