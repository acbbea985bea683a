/** A gzip file read back as text, and a missing or broken one as an error the reader sees (no crash). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { gunzipText } from '../../../src/util/gunzip-file.js';

const dir = mkdtempSync(join(tmpdir(), 'mb-gunzip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gunzipText', () => {
  it('returns the decompressed text', async () => {
    const file = join(dir, 'grants.sql.gz');
    writeFileSync(file, gzipSync(Buffer.from('CREATE USER `a`@`%`;\n-- Dump completed\n')));
    expect(await gunzipText(file)).toBe('CREATE USER `a`@`%`;\n-- Dump completed\n');
  });
  it('rejects with the file error or the gzip error', async () => {
    await expect(gunzipText(join(dir, 'absent.gz'))).rejects.toThrow(/ENOENT/);
    const broken = join(dir, 'broken.gz');
    writeFileSync(broken, gzipSync(Buffer.from('x'.repeat(1000))).subarray(0, 20));
    await expect(gunzipText(broken)).rejects.toThrow(/unexpected end of file/);
  });
});
