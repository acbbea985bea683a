/**
 * The dump rules in their one home, and the promise of issue 15: a verify that meets a dump the
 * backup would reject (a trailer followed by more SQL) fails it exactly as the backup does.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { checkWrittenDump } from '../../../src/datasource/mariadb/dump.js';
import { compareTables, comparisonProblems, DUMP_PROBLEM, DumpScanner, hasTrailer, readDump, switchesDatabase } from '../../../src/repository/dump-format.js';
import { checkDump } from '../../../src/verify/dump.js';

const tmp = mkdtempSync(join(tmpdir(), 'mailbackup-dumpfmt-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function writeGz(name: string, text: string): { file: string; rawBytes: number; sha256: string } {
  const gz = gzipSync(Buffer.from(text));
  const file = join(tmp, name);
  writeFileSync(file, gz);
  return { file, rawBytes: Buffer.byteLength(text), sha256: createHash('sha256').update(gz).digest('hex') };
}

const BODY = '-- MariaDB dump 10.19\nCREATE TABLE `t` (id int);\nINSERT INTO `t` VALUES (1),(2);\n';

describe('the trailer rule', () => {
  it('accepts the trailer only at the very end', () => {
    expect(hasTrailer('x\n-- Dump completed on 2026-12-02  3:00:01\n')).toBe(true);
    expect(hasTrailer('x\n-- Dump completed\n')).toBe(true);
    expect(hasTrailer('x\n-- Dump completed on 2026-12-02  3:00:01\nDROP TABLE t;\n')).toBe(false);
    expect(hasTrailer('x\nINSERT INTO `t` VALUES (1')).toBe(false);
  });

  it('a dump with more SQL after its trailer: verify fails it with the same problem the backup raises', async () => {
    const d = writeGz('appended.sql.gz', `${BODY}-- Dump completed on 2026-12-02  3:00:01\nDROP TABLE t;\n`);
    const backup = await checkWrittenDump(d.file, d); // what the backup says of the file it wrote
    const verify = await checkDump(d.file, d.sha256);
    expect(backup).toEqual([DUMP_PROBLEM.trailer]);
    expect(verify.problems).toEqual(backup);
    // the substring "-- Dump completed" is there: the old verify and drill accepted this file
    expect((await readDump(d.file)).scan.tail).toContain('-- Dump completed');
  });

  it('a whole dump passes both, a cut one fails both alike', async () => {
    const ok = writeGz('ok.sql.gz', `${BODY}-- Dump completed on 2026-12-02  3:00:01\n`);
    expect(await checkWrittenDump(ok.file, ok)).toEqual([]);
    expect((await checkDump(ok.file, ok.sha256)).problems).toEqual([]);
    const cut = writeGz('cut.sql.gz', BODY);
    expect(await checkWrittenDump(cut.file, cut)).toEqual((await checkDump(cut.file, cut.sha256)).problems);
    expect((await checkDump(cut.file, cut.sha256)).problems).toEqual([DUMP_PROBLEM.trailer]);
  });

  it('reports truncated gzip data and a sha256 that differs, and a missing file', async () => {
    const ok = writeGz('trunc.sql.gz', `${BODY.repeat(200)}-- Dump completed\n`);
    const gz = gzipSync(Buffer.from(`${BODY.repeat(200)}-- Dump completed\n`));
    writeFileSync(ok.file, gz.subarray(0, gz.length - 20));
    const r = await checkDump(ok.file, ok.sha256);
    expect(r.problems).toEqual([DUMP_PROBLEM.truncated, DUMP_PROBLEM.sha256]);
    expect((await checkDump(join(tmp, 'nope.sql.gz'))).problems).toEqual([DUMP_PROBLEM.missing]);
  });
});

describe('database switch and tables', () => {
  it('finds USE / CREATE DATABASE at a line start, also across chunk boundaries', () => {
    expect(switchesDatabase(BODY)).toBeUndefined();
    expect(switchesDatabase('-- x\nCREATE DATABASE /*!32312 IF NOT EXISTS*/ `usermgmt`;\nUSE `usermgmt`;\n')).toMatch(/CREATE DATABASE/);
    expect(switchesDatabase('USE `other`;\n')).toBe('USE `other`');
    expect(switchesDatabase("INSERT INTO `t` VALUES ('USE `x`;');\n")).toBeUndefined();
    const s = new DumpScanner();
    s.push(Buffer.from(`${BODY}US`));
    expect(s.switchLine).toBeUndefined();
    s.push(Buffer.from('E `other`;\n'));
    expect(s.switchLine).toBe('USE `other`');
  });

  it('names missing, extra and miscounted tables', () => {
    const c = compareTables({ users: 3, aliases: 2, gone: 1 }, { users: 3, aliases: 1, extra: 0 });
    expect(c.ok).toBe(false);
    expect(comparisonProblems(c)).toEqual(['table gone missing', 'table extra not in backup.json', 'table aliases has 1 rows, backup.json says 2']);
    expect(compareTables({ a: 1 }, { a: 1 }).ok).toBe(true);
  });
});
