/** Tables a person reads on a terminal: Japanese text takes two columns a character. */
import { describe, expect, it } from 'vitest';
import { displayWidth, table } from '../../../src/util/format.js';

describe('displayWidth', () => {
  it('counts wide characters twice, ASCII and half-width kana once', () => {
    expect(displayWidth('invoice')).toBe(7);
    expect(displayWidth('請求書')).toBe(6);
    expect(displayWidth('請求書（11月分）')).toBe(16); // fullwidth parentheses are wide, the digits are not
    expect(displayWidth('ｾｲｷｭｳｼｮ')).toBe(7); // half-width katakana
    expect(displayWidth('경리')).toBe(4);
  });
});

describe('table', () => {
  it('lines up the column after a Japanese cell on a terminal', () => {
    const lines = table([
      ['FROM', 'SUBJECT', 'ID'],
      ['経理部 山田 <yamada@example.jp>', '請求書', '<a@x>'],
      ['bob@example.com', 'hello', '<b@x>'],
    ]);
    // the display column at which the last cell starts, per line
    const start = (line: string, cell: string) => displayWidth(line.slice(0, line.lastIndexOf(cell)));
    const idColumn = [start(lines[0], 'ID'), start(lines[1], '<a@x>'), start(lines[2], '<b@x>')];
    expect(new Set(idColumn).size).toBe(1);
  });
});
