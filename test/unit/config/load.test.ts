import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../../src/config/load.js';
import { ConfigError, ExitCode } from '../../../src/errors.js';

const base = { source: { root: '/srv/mail' }, destination: { root: '/mnt/b' }, database: {} };

describe('config', () => {
  it('fills defaults from docs/configuration.md', () => {
    const c = parseConfig(base);
    expect(c.retention).toMatchObject({ daily: 30, weekly: 12 });
    expect(c.source.mail).toBe('data/mail');
    expect(c.notify.diskUsageWarnPercent).toBe(80);
  });

  it('names the unknown key: a typo must not silently disable a component', () => {
    expect(() => parseConfig({ ...base, source: { root: '/srv', mial: 'x' } })).toThrow(/unknown key source\.mial/);
  });

  it('names the key, the value and what is expected', () => {
    try {
      parseConfig({ ...base, retention: { daily: 'thirty' } });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).exitCode).toBe(ExitCode.CONFIG);
      expect((err as Error).message).toMatch(/retention\.daily: found "thirty", expected number/);
    }
  });

  it('reads YAML and JSON files, and says how to fix a missing one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mb-config-'));
    writeFileSync(join(dir, 'c.yml'), 'source:\n  root: /srv/mail\ndestination:\n  root: /mnt/b\ndatabase: {}\n');
    writeFileSync(join(dir, 'c.json'), JSON.stringify(base));
    expect(loadConfig(join(dir, 'c.yml')).destination.root).toBe('/mnt/b');
    expect(loadConfig(join(dir, 'c.json')).source.root).toBe('/srv/mail');
    expect(() => loadConfig(join(dir, 'nope.yml'))).toThrow(/does not exist.*mailbackup init/);
  });
});

const withOffsite = parseConfig({ ...base, offsite: { repositories: [{ name: 'cloud', url: 's3:https://s3/b', passwordFile: '/etc/p' }] } });

describe('offsite config', () => {
  it('defaults: after never, 7/8/12, warning after 2 days, critical after 8; names unique', () => {
    expect(withOffsite.offsite).toMatchObject({ after: 'never', retention: { daily: 7, weekly: 8, monthly: 12 }, warnAfterDays: 2, criticalAfterDays: 8, checkWeeks: 12 });
    const dup = { name: 'a', url: '/r', passwordFile: '/p' };
    expect(() => parseConfig({ ...base, offsite: { repositories: [dup, dup] } })).toThrow(/unique/);
  });
});
