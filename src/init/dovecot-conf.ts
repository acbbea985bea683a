/**
 * Reads Dovecot's config the way Dovecot does: dovecot.conf, with each `!include` and
 * `!include_try` replaced, where it stands, by the files its glob matches (relative to the
 * including file's directory, sorted like glob(3)). `!include_try` may match nothing; a plain
 * `!include` that matches nothing is skipped too, since for init the config is only a hint.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import fg from 'fast-glob';
import type { ConfFile } from './dovecot-layout.js';

/** Where the container sees the directory init reads from (compose mounts it there). */
const CONTAINER_DIR = '/etc/dovecot';
const MAX_CONF_BYTES = 1024 * 1024;
const MAX_DEPTH = 20;
const INCLUDE = /^\s*!include(_try)?\s+(?:"([^"]+)"|(\S+))\s*$/;

/** `!include conf.d/*.conf` → its pattern and whether no match is fine; undefined for any other line. */
export function parseInclude(line: string): { pattern: string; optional: boolean } | undefined {
  const m = INCLUDE.exec(line);
  return m ? { pattern: m[2] ?? m[3], optional: m[1] !== undefined } : undefined;
}

/**
 * The files a pattern names, sorted by byte order as glob(3) in the C locale does. An absolute
 * pattern counts only under /etc/dovecot (the mounted directory); others are not on this host.
 */
export function includedFiles(pattern: string, fromDir: string, confDir: string): string[] {
  let cwd = fromDir;
  let rel = pattern;
  if (isAbsolute(pattern)) {
    if (!pattern.startsWith(CONTAINER_DIR + '/')) return [];
    cwd = confDir;
    rel = pattern.slice(CONTAINER_DIR.length + 1);
  }
  const found = fg.sync(rel, { cwd, onlyFiles: true, absolute: true, followSymbolicLinks: true });
  return found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function readText(path: string): string | undefined {
  try {
    if (!existsSync(path) || statSync(path).size > MAX_CONF_BYTES) return undefined;
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // unreadable: Dovecot's config is a hint, the tree is the fact
  }
}

/**
 * One file, cut at its include lines: the text before each include, then what it includes, in
 * order, so "the last setting wins" holds across files. `chain` stops include loops.
 */
function expand(path: string, confDir: string, shownFrom: string, chain: string[]): ConfFile[] {
  const text = readText(path);
  if (text === undefined || chain.includes(path) || chain.length >= MAX_DEPTH) return [];
  const shown = relative(shownFrom, path) || path;
  const out: ConfFile[] = [];
  let segment: string[] = [];
  const flush = () => {
    if (segment.some((l) => l.trim())) out.push({ path: shown, text: segment.join('\n') });
    segment = [];
  };
  for (const line of text.split('\n')) {
    const inc = parseInclude(line);
    if (!inc) {
      segment.push(line);
      continue;
    }
    flush();
    for (const file of includedFiles(inc.pattern, dirname(path), confDir)) out.push(...expand(file, confDir, shownFrom, [...chain, path]));
  }
  flush();
  return out;
}

/** dovecot.conf in `confDir` (the host directory mounted at /etc/dovecot) and all it includes, in Dovecot's order. */
export function readDovecotConf(confDir: string, shownFrom: string): ConfFile[] {
  return expand(join(confDir, 'dovecot.conf'), confDir, shownFrom, []);
}
