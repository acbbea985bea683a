/** The previous index of one component, read entry by entry and a leaf directory's run at once. */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { formatIndexLine, INDEX_HEADER, type IndexEntry } from '../../../../src/repository/manifest-format.js';
import { PrevIndexReader } from '../../../../src/engine/manifest/prev-index.js';

const line = (path: string): string => formatIndexLine({ path, ino: 7, size: 3, mtimeMs: 1000.5, mode: 0o600, uid: 5, gid: 5, sha256: 'b'.repeat(64), isNew: false }).slice(0, -1);

function indexFile(paths: string[], extra = ''): string {
  const file = join(mkdtempSync(join(tmpdir(), 'prev-index-')), 'manifest.index');
  writeFileSync(file, INDEX_HEADER + paths.map((p) => line(p) + '\n').join('') + extra);
  return file;
}

function collectingLog() {
  const warnings: string[] = [];
  const log = pino({ level: 'warn' }, { write: (s: string) => void warnings.push(JSON.parse(s).msg) });
  return { log, warnings };
}

const paths = (it: Iterator<IndexEntry>): string[] => {
  const out: string[] = [];
  for (let r = it.next(); !r.done; r = it.next()) out.push(r.value.path);
  return out;
};

describe('PrevIndexReader', () => {
  // `mail` between two other components; `mailx` sorts after `mail/` and is not ours
  const tree = ['dkim/k.txt', 'mail/a/cur/1', 'mail/a/cur/2', 'mail/a/new/3', 'mail/b', 'mailx/z', 'ssl/c.pem'];

  it('yields the component\'s entries only, paths relative to it, with their lines', () => {
    const r = new PrevIndexReader(indexFile(tree), 'mail', collectingLog().log);
    const first = r.next().value as IndexEntry;
    expect(first.path).toBe('a/cur/1');
    expect(first.line).toBe(line('mail/a/cur/1'));
    expect(first.size).toBe(3);
    expect(paths(r)).toEqual(['a/cur/2', 'a/new/3', 'b']);
  });

  it('hands over a run of lines under a prefix at once and goes on after it, across buffer refills', () => {
    const many = Array.from({ length: 300 }, (_, i) => `mail/a/cur/${String(i).padStart(4, '0')}`);
    for (const chunk of [64, 200, 1 << 20]) {
      const r = new PrevIndexReader(indexFile(['dkim/k', ...many, 'mail/a/new/x', 'mail/b']), 'mail', collectingLog().log, chunk);
      expect((r.next().value as IndexEntry).path).toBe('a/cur/0000');
      const run = r.takeRun(Buffer.from('mail/a/cur/'));
      expect(run.count).toBe(299);
      expect(run.text).toBe(many.slice(1).map(line).join('\n'));
      expect(r.takeRun(Buffer.from('mail/a/cur/'))).toEqual({ text: '', count: 0 });
      expect(paths(r)).toEqual(['a/new/x', 'b']);
    }
  });

  it('reads a line longer than its buffer, and a last line without its newline', () => {
    const long = `mail/${'x'.repeat(500)}`;
    const r = new PrevIndexReader(indexFile(['mail/a'], line(long)), 'mail', collectingLog().log, 64);
    expect(paths(r)).toEqual(['a', long.slice(5)]);
  });

  it('ends with a warning at a malformed line, and without one when there is no index', () => {
    const { log, warnings } = collectingLog();
    const r = new PrevIndexReader(indexFile(['mail/a'], 'mail/broken\n' + line('mail/z') + '\n'), 'mail', log);
    expect(paths(r)).toEqual(['a']);
    expect(warnings).toEqual(['previous manifest.index unreadable; copying those files again']);
    const none = collectingLog();
    expect(paths(new PrevIndexReader('/nonexistent/manifest.index', 'mail', none.log))).toEqual([]);
    expect(none.warnings).toEqual([]);
  });
});
