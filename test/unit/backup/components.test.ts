import { describe, expect, it } from 'vitest';
import { planComponents } from '../../../src/backup/components.js';
import { parseConfig } from '../../../src/config/load.js';

const base = {
  source: { root: '/srv/mail' },
  destination: { root: '/mnt/b/mailserver' },
  database: { databases: ['usermgmt'] },
};

describe('planComponents', () => {
  it('maps the config to mail, ssl, dkim and config components', () => {
    const plan = planComponents(parseConfig(base));
    expect(plan.map((c) => c.name)).toEqual(['mail', 'ssl', 'dkim', 'config']);
    expect(plan[0]).toMatchObject({ source: { dir: '/srv/mail/data/mail' }, maildir: true });
    expect(plan[3].source).toEqual({ base: '/srv/mail', entries: ['docker-compose.yml', '.env', 'config', 'scripts'] });
  });

  it('leaves config/opendkim to the dkim component', () => {
    const plan = planComponents(parseConfig(base));
    expect(plan.find((c) => c.name === 'config')!.exclude).toEqual(['/config/opendkim']);
  });

  it('adds logs only when configured', () => {
    const plan = planComponents(parseConfig({ ...base, source: { root: '/srv/mail', logs: 'logs' } }));
    expect(plan.map((c) => c.name)).toContain('logs');
  });

  it('refuses config entries outside source.root', () => {
    expect(() => planComponents(parseConfig({ ...base, source: { root: '/srv/mail', config: ['/etc/passwd'] } }))).toThrow(/under source.root/);
  });
});
