/** The entries form of a component's source: what the scan keeps, descends into, or skips. */
import { describe, it, expect } from 'vitest';
import { entryCoverage } from '../../../../src/engine/scan/source.js';

describe('entryCoverage', () => {
  const entries = ['docker-compose.yml', 'config', 'a/b'];
  it('keeps entries and what is inside them, descends into ancestors, removes the rest', () => {
    expect(entryCoverage('config', entries)).toBe('keep');
    expect(entryCoverage('config/postfix/main.cf', entries)).toBe('keep');
    expect(entryCoverage('a', entries)).toBe('descend');
    expect(entryCoverage('a/c', entries)).toBe('remove');
    expect(entryCoverage('scripts', entries)).toBe('remove');
    expect(entryCoverage('configx', entries)).toBe('remove');
  });
});
