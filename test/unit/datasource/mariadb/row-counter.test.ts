import { describe, expect, it } from 'vitest';
import { SqlRowCounter } from '../../../../src/datasource/mariadb/row-counter.js';

const dump = [
  '-- MariaDB dump 10.19',
  'CREATE TABLE `users` (',
  '  `id` int NOT NULL',
  ');',
  "INSERT INTO `users` VALUES (1,'a (b)'),(2,'it\\'s),(x'),(3,'日本語');",
  'CREATE TABLE `empty_table` (`id` int);',
  "INSERT INTO `log` VALUES (1,0x28),(2,'\\\\'),(3,NULL);",
  "INSERT INTO `log` VALUES (4,'VALUES (9)');",
  '-- Dump completed on 2026-11-28 12:00:00',
  '',
].join('\n');

describe('SqlRowCounter', () => {
  it('counts rows per table, ignoring parentheses and quotes inside strings', () => {
    const c = new SqlRowCounter();
    c.push(Buffer.from(dump));
    expect(c.tables).toEqual({ users: 3, empty_table: 0, log: 4 });
  });

  it('gives the same counts whatever the chunk boundaries', () => {
    const whole = new SqlRowCounter();
    whole.push(Buffer.from(dump));
    const buf = Buffer.from(dump);
    for (const size of [1, 2, 3, 7, 64]) {
      const c = new SqlRowCounter();
      for (let i = 0; i < buf.length; i += size) c.push(buf.subarray(i, i + size));
      expect(c.tables).toEqual(whole.tables);
    }
  });
});

describe('SqlRowCounter on mariadb-dump 10.11+ output (one row per line)', () => {
  it('counts rows of a multi-line INSERT, with ; and newlines inside strings', () => {
    const c = new SqlRowCounter();
    c.push(Buffer.from([
      'INSERT INTO `aliases` VALUES',
      "(1,'a;b'),",
      "(2,'line\\nnext'),",
      "(3,'x');",
      'INSERT INTO `users` VALUES',
      '(1,NULL);',
      '-- Dump completed on 2026-11-28',
      '',
    ].join('\n')));
    expect(c.tables).toEqual({ aliases: 3, users: 1 });
  });
});
