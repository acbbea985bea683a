import { describe, expect, it } from 'vitest';
import { discover, hostDirFor, interpolate, parseCompose, parseDotEnv } from '../../../src/init/compose.js';

const ROOT = '/srv/mailserver';
const COMPOSE = `
name: mailserver
services:
  mariadb:
    image: mariadb:11.4
    container_name: \${PREFIX:-mailserver}-mariadb
    environment:
      MARIADB_DATABASE: usermgmt
      MARIADB_ROOT_PASSWORD: \${DB_ROOT_PASSWORD}
    volumes:
      - db-data:/var/lib/mysql
  dovecot:
    image: dovecot/dovecot:2.3
    container_name: mailserver-dovecot
    volumes:
      - ./data/mail/vmail:/var/mail/vmail
      - ./data/mail/sieve:/var/mail/sieve:ro
      - ./config/dovecot/dovecot.conf:/etc/dovecot/dovecot.conf:ro
  opendkim:
    image: instrumentisto/opendkim
    volumes:
      - type: bind
        source: ./config/opendkim
        target: /etc/opendkim
  nginx:
    image: nginx
    volumes:
      - ./data/certbot/live:/etc/letsencrypt/live:ro
      - ./data/certbot/archive:/etc/letsencrypt/archive:ro
volumes:
  db-data:
`;

describe('compose discovery', () => {
  it('finds the MariaDB and Dovecot containers and the host paths of mail, certbot and OpenDKIM', () => {
    const d = discover(parseCompose(COMPOSE, ROOT, { DB_ROOT_PASSWORD: 'x' }));
    expect(d.database?.container).toBe('mailserver-mariadb');
    expect(d.dovecot?.container).toBe('mailserver-dovecot');
    expect(d.mail).toBe('/srv/mailserver/data/mail');
    expect(d.certbot).toBe('/srv/mailserver/data/certbot');
    expect(d.dkim).toBe('/srv/mailserver/config/opendkim');
    expect(d.declaredDatabases).toEqual(['usermgmt']);
  });

  it('names containers without container_name the way compose does', () => {
    const svc = parseCompose('services:\n  db:\n    image: docker.io/library/mysql:8\n', '/opt/Mail Server');
    expect(svc[0].container).toBe('mailserver-db-1');
    expect(discover(svc).database?.name).toBe('db');
  });

  it('ignores named volumes (no host path) and reports what it could not find', () => {
    const d = discover(parseCompose('services:\n  web:\n    image: nginx\n    volumes: [certs:/etc/letsencrypt]\n', ROOT));
    expect(d.certbot).toBeUndefined();
    expect(d.database).toBeUndefined();
    expect(d.notes.join(' ')).toMatch(/mariadb/);
  });

  it('maps a mounted subdirectory back to its root only when the suffix matches', () => {
    expect(hostDirFor([{ source: '/a/certs/live', target: '/etc/letsencrypt/live' }], '/etc/letsencrypt')).toBe('/a/certs');
    expect(hostDirFor([{ source: '/a/other', target: '/etc/letsencrypt/live' }], '/etc/letsencrypt')).toBeUndefined();
  });

  it('interpolates variables like compose and reads .env files', () => {
    const env = parseDotEnv('# comment\nA=1\nexport B="two words"\n');
    expect(env).toEqual({ A: '1', B: 'two words' });
    expect(interpolate('${A}-${C:-dflt}-$B-$$', env)).toBe('1-dflt-two words-$');
  });
});
