import { describe, expect, it } from 'vitest';
import { typedConfig } from '../../../src/commands/complete.js';

describe('typedConfig', () => {
  it('finds --config FILE and --config=FILE among the words before the one completed', () => {
    expect(typedConfig(['--config', '/a.yml', 'verify', ''])).toBe('/a.yml');
    expect(typedConfig(['verify', '--config=/b.yml', ''])).toBe('/b.yml');
    expect(typedConfig(['verify', '--config'])).toBeUndefined();
  });
});
