import { describe, expect, it } from 'vitest';
import { decodeMutf7, encodeMutf7 } from '../../../src/mailbox/mutf7.js';

describe('modified UTF-7 folder names', () => {
  it('encodes and decodes the way Dovecot names folders on disk', () => {
    expect(encodeMutf7('日本語')).toBe('&ZeVnLIqe-');
    expect(decodeMutf7('&ZeVnLIqe-')).toBe('日本語');
    expect(encodeMutf7('Tom & Jerry')).toBe('Tom &- Jerry');
    expect(decodeMutf7('Tom &- Jerry')).toBe('Tom & Jerry');
    for (const s of ['Entwürfe', 'Корзина', '受信トレイ/2024', 'a😀b']) expect(decodeMutf7(encodeMutf7(s))).toBe(s);
  });
});
