import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../../../src/config/load.js';
import { discover, parseCompose } from '../../../src/init/compose.js';
import { planConfig } from '../../../src/init/plan.js';
import { renderConfig } from '../../../src/init/render.js';

const COMPOSE = `
services:
  mariadb: { image: "mariadb:11", container_name: mailserver-mariadb }
  dovecot:
    image: dovecot/dovecot
    container_name: mailserver-dovecot
    volumes: ["./data/mail:/var/mail", "/elsewhere/certbot:/etc/letsencrypt"]
`;

function values(extra: Partial<Parameters<typeof planConfig>[1]> = {}) {
  const d = discover(parseCompose(COMPOSE, '/srv/mail'));
  return planConfig(
    d,
    { sourceRoot: '/srv/mail', destination: '/backup/mailserver', runtime: 'docker', composeFile: '/srv/mail/docker-compose.yml', requireMountpoint: '/backup', ...extra },
    { names: ['usermgmt', 'roundcubemail'], from: 'test' },
  );
}

describe('init config rendering', () => {
  it('writes a commented config that loadConfig accepts with the discovered values', () => {
    const text = renderConfig(values());
    expect(text).toMatch(/^# mailbackup configuration/);
    const c = parseConfig(parse(text));
    expect(c.source.root).toBe('/srv/mail');
    expect(c.source.mail).toBe('data/mail');
    expect(c.source.certbot).toBe('/elsewhere/certbot'); // outside source.root: kept absolute
    expect(c.source.dkim).toBe('config/opendkim'); // not in the compose file: the default
    expect(c.database.container).toBe('mailserver-mariadb');
    expect(c.database.databases).toEqual(['usermgmt', 'roundcubemail']);
    expect(c.dovecot.container).toBe('mailserver-dovecot');
    expect(c.destination).toEqual({ root: '/backup/mailserver', requireMountpoint: '/backup' });
    expect(text).toMatch(/OpenDKIM: not found in the compose file/);
  });

  it('writes every docs/configuration.md section, live or as a commented example', () => {
    const text = renderConfig(values({ requireMountpoint: undefined }));
    for (const key of ['source:', 'destination:', 'database:', 'dovecot:', 'retention:', 'notify:', 'log:', 'priority:', 'retry:', 'drill:', 'email:', 'exclude:', 'credentialsFile:']) {
      expect(text).toContain(key);
    }
    const c = parseConfig(parse(text));
    expect(c.notify.email).toBeUndefined();
  });

  it('fills in failure mail when addresses are given', () => {
    const c = parseConfig(parse(renderConfig(values({ notifyTo: ['ops@example.org'] }))));
    expect(c.notify.email?.to).toEqual(['ops@example.org']);
  });

  it('quotes awkward paths safely', () => {
    const c = parseConfig(parse(renderConfig(values({ destination: '/backup/a: b #c' }))));
    expect(c.destination.root).toBe('/backup/a: b #c');
  });
});

describe('config/mailbackup.example.yml', () => {
  it('is a config loadConfig accepts', async () => {
    const { readFileSync } = await import('node:fs');
    const c = parseConfig(parse(readFileSync('config/mailbackup.example.yml', 'utf8')));
    expect(c.database.container).toBe('mailserver-mariadb');
    expect(c.destination.requireMountpoint).toBe('/mnt/backup-hdd');
  });
});
