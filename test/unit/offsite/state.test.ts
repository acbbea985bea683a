import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { updateOffsiteState } from '../../../src/offsite/state.js';

const base = { source: { root: '/srv/mail' }, destination: { root: '/mnt/b' }, database: {} };
const withOffsite = parseConfig({ ...base, offsite: { repositories: [{ name: 'cloud', url: 's3:https://s3/b', passwordFile: '/etc/p' }] } });

describe('offsite state', () => {
  it('is never written onto a destination without its marker (the disk may be away)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mb-offsite-state-'));
    try {
      const config = parseConfig({ ...base, destination: { root: dir }, offsite: withOffsite.offsite });
      expect(() => updateOffsiteState(config, 'cloud', { lastCheck: { at: 'x', mode: 'structure', ok: true } })).toThrow(/marker|\.mailbackup/);
      expect(existsSync(join(dir, '.state'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
