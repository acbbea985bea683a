import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManifestError, manifestEntries } from '../../../src/repository/manifest-format.js';
import { sha256sumLine } from '../../../src/repository/manifest-format.js';

const dir = mkdtempSync(join(tmpdir(), 'verify-manifest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hex = (c: string) => c.repeat(64);
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('manifestEntries (manifest.sha256 as sha256sum writes and reads it)', () => {
  it('reads text and binary mode, ./ prefixes, CRLF, and undoes sha256sum\'s escapes', () => {
    const odd = 'mail/a\\b\nc\rd';
    const p = file('ok', [
      `${hex('a')}  mail/cur/1.M1:2,S`,
      `${hex('b')} *./ssl/live/cert.pem`,
      `${hex('c')}  mail/sp ace\u2028x\r`,
      '',
      sha256sumLine(hex('d'), odd).replace(/\n$/, ''),
    ].join('\n') + '\n');
    expect([...manifestEntries(p)]).toEqual([
      { path: 'mail/cur/1.M1:2,S', sha256: hex('a') },
      { path: 'ssl/live/cert.pem', sha256: hex('b') },
      { path: 'mail/sp ace\u2028x', sha256: hex('c') },
      { path: odd, sha256: hex('d') },
    ]);
  });

  it.each([
    ['a short hash', `${'a'.repeat(63)}  mail/x`],
    ['upper-case hex', `${'A'.repeat(64)}  mail/x`],
    ['one space only', `${hex('a')} mail/x`],
    ['no name', `${hex('a')}  `],
  ])('rejects %s with the line number', (_, bad) => {
    const p = file('bad', `${hex('e')}  mail/ok\n${bad}\n`);
    expect(() => [...manifestEntries(p)]).toThrow(ManifestError);
    expect(() => [...manifestEntries(p)]).toThrow(/line 2 is not/);
  });

  it('says so when the file cannot be read', () => {
    expect(() => [...manifestEntries(join(dir, 'absent'))]).toThrow(/cannot read/);
  });
});
