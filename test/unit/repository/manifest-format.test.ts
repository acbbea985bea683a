import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { compareBytes, formatIndexLine, parseIndexLine, sha256sumLine, sharedIndexLine, sortDirEntries, type IndexEntry } from '../../../src/repository/manifest-format.js';
import { walkSnapshotFiles } from '../../../src/engine/manifest/manifest-index.js';

const dir = mkdtempSync(join(tmpdir(), 'engine-mf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sha256sum line format', () => {
  it('is `<hex>  <path>` for ordinary names', () => {
    expect(sha256sumLine('ab', 'mail/x y')).toBe('ab  mail/x y\n');
  });
  it('escapes backslash, newline and CR exactly like sha256sum', () => {
    const names = ['back\\slash', 'new\nline', 'car\rriage', 'plain'];
    const sub = join(dir, 'esc');
    mkdirSync(sub);
    for (const n of names) writeFileSync(join(sub, n), n);
    const theirs = execFileSync('sha256sum', names, { cwd: sub, encoding: 'utf8' });
    const ours = names.map((n) => sha256sumLine(createHash('sha256').update(n).digest('hex'), n)).join('');
    expect(ours).toBe(theirs);
  });
});

describe('byte order', () => {
  it('matches LC_ALL=C sort, including non-ASCII and astral characters', () => {
    const paths = ['b', 'a.txt', 'a/x', 'a0', 'Z', 'é', '\uFF21', '😀', 'a-b', '_'];
    const sorted = execFileSync('sort', [], { input: paths.join('\n') + '\n', env: { ...process.env, LC_ALL: 'C' }, encoding: 'utf8' }).trim().split('\n');
    expect([...paths].sort(compareBytes)).toEqual(sorted);
  });

  it('agrees with Buffer.compare of the UTF-8 bytes on shared prefixes, U+E000–U+FFFF against astral characters, and prefixes of each other', () => {
    const alphabet = ['a', '/', '.', '\uE000', '\uFFFD', '\uFF21', '😀', '\u{10FFFF}', 'é', '\uD7FF'];
    let seed = 7;
    const pick = () => alphabet[(seed = (seed * 1103515245 + 12345) & 0x7fffffff) % alphabet.length];
    const words = Array.from({ length: 400 }, (_, i) => 'vmail/x/cur/' + Array.from({ length: 1 + (i % 5) }, pick).join(''));
    for (const a of words) {
      for (const b of words.slice(0, 60)) {
        expect(Math.sign(compareBytes(a, b))).toBe(Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
      }
    }
  });

  it('a walk of sorted directories yields full paths in C sort order', () => {
    const root = join(dir, 'walk');
    for (const d of ['a', 'a/b', 'a-b', 'a0', 'mail/.Sent/cur', 'mail/cur']) mkdirSync(join(root, d), { recursive: true });
    for (const f of ['a.txt', 'a/b/z', 'a/c', 'a-b/1', 'a0/x', 'ab', 'mail/.Sent/cur/m1', 'mail/cur/m2', 'mail/dovecot-uidlist', 'manifest.sha256', 'backup.json', '.x.tmp']) {
      writeFileSync(join(root, f), f);
    }
    const walked = [...walkSnapshotFiles(root)].map((w) => w.path);
    const sorted = execFileSync('sort', [], { input: walked.join('\n') + '\n', env: { ...process.env, LC_ALL: 'C' }, encoding: 'utf8' }).trim().split('\n');
    expect(walked).toEqual(sorted);
    expect(walked).not.toContain('manifest.sha256');
    expect(walked).not.toContain('backup.json');
    expect(walked).not.toContain('.x.tmp');
    expect(walked).toHaveLength(9);
  });

  it('sortDirEntries places a directory where its children sort', () => {
    const e = (name: string, dir = false) => ({ name, isDirectory: () => dir });
    expect(sortDirEntries([e('a0'), e('a', true), e('a.txt')]).map((x) => x.name)).toEqual(['a.txt', 'a', 'a0']);
  });

  it('sortDirEntries orders a real directory as `find | LC_ALL=C sort` orders the files below it', () => {
    const root = mkdtempSync(join(dir, 'sde-'));
    for (const d of ['a', 'a-b', 'ab', 'é', '😀', '\uFF21']) mkdirSync(join(root, d));
    for (const f of ['a/x', 'a-b/x', 'ab/x', 'é/x', '😀/x', '\uFF21/x', 'a.txt', 'a0', 'a_', 'A', 'é.txt', '😀.txt', '\uFF21.txt']) writeFileSync(join(root, f), f);
    const found = execFileSync('sh', ['-c', `find . -type f -printf '%P\\n' | LC_ALL=C sort`], { cwd: root, encoding: 'utf8' }).trim().split('\n');
    const expected = [...new Set(found.map((p) => p.split('/')[0]))];
    expect(expected).toHaveLength(13);
    expect(sortDirEntries(readdirSync(root, { withFileTypes: true })).map((x) => x.name)).toEqual(expected);
  });
});

describe('manifest.index lines', () => {
  it('round-trip, including tabs and newlines in names', () => {
    const e: IndexEntry = { path: 'mail/we\tird\nname\\x', ino: 123456, size: 42, mtimeMs: 1717200000123.4568, mode: 0o100640, uid: 5000, gid: 5000, sha256: 'f'.repeat(64), isNew: true };
    const line = formatIndexLine(e);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toMatch(/\n/);
    expect(parseIndexLine(line.slice(0, -1))).toEqual({ ...e, mode: 0o640, line: line.slice(0, -1) });
  });

  it('a linked file keeps its previous line, marked as shared', () => {
    const e: IndexEntry = { path: 'mail/cur/1.x:2,S', ino: 7, size: 42, mtimeMs: 1717200000123.25, mode: 0o600, uid: 5000, gid: 5000, sha256: 'a'.repeat(64), isNew: true };
    const asNew = formatIndexLine(e).slice(0, -1);
    const asShared = formatIndexLine({ ...e, isNew: false }).slice(0, -1);
    expect(sharedIndexLine(asNew)).toBe(asShared);
    expect(sharedIndexLine(asShared)).toBe(asShared);
    expect(parseIndexLine(sharedIndexLine(asNew)!)).toEqual({ ...e, isNew: false, line: asShared });
    // not this version's layout (a two-character flag): formatted afresh by the caller
    expect(sharedIndexLine(`${'a'.repeat(64)}\t10\t7\t42\t1\t600\t0\t0\tx`)).toBeUndefined();
  });
});
