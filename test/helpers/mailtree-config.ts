/**
 * The compose project around the mail data: docker-compose.yml, .env (0600, holds the DB root
 * password), service configs, admin scripts (0755) and logs/, as on the real server.
 */
import { join } from 'node:path';
import { mkdirOwned, writeOwned, type Owner } from './mailtree-maildir.js';
import type { Rng } from './prng.js';

const R = 0; // root-owned

export const COMPOSE_CONTAINERS = {
  mariadb: 'mailserver-mariadb',
  dovecot: 'mailserver-dovecot',
  postfix: 'mailserver-postfix',
  opendkim: 'mailserver-opendkim',
  rspamd: 'mailserver-rspamd',
  clamav: 'mailserver-clamav',
  certbot: 'mailserver-certbot',
} as const;

function composeYml(): string {
  return `name: mailserver

services:
  mariadb:
    image: mariadb:11.4
    container_name: ${COMPOSE_CONTAINERS.mariadb}
    restart: unless-stopped
    env_file: .env
    environment:
      MARIADB_ROOT_PASSWORD: \${MYSQL_ROOT_PASSWORD}
    volumes:
      - ./data/mysql:/var/lib/mysql
  dovecot:
    image: dovecot/dovecot:2.3.21
    container_name: ${COMPOSE_CONTAINERS.dovecot}
    restart: unless-stopped
    depends_on: [mariadb]
    ports: ["993:993", "4190:4190"]
    volumes:
      - ./data/mail:/var/mail
      - ./config/dovecot:/etc/dovecot
      - ./data/certbot:/etc/letsencrypt:ro
  postfix:
    image: boky/postfix:latest
    container_name: ${COMPOSE_CONTAINERS.postfix}
    restart: unless-stopped
    ports: ["25:25", "587:587"]
    volumes:
      - ./config/postfix:/etc/postfix/custom
      - ./data/certbot:/etc/letsencrypt:ro
  opendkim:
    image: instrumentisto/opendkim:2.11
    container_name: ${COMPOSE_CONTAINERS.opendkim}
    restart: unless-stopped
    volumes:
      - ./config/opendkim:/etc/opendkim
  rspamd:
    image: rspamd/rspamd:3.8
    container_name: ${COMPOSE_CONTAINERS.rspamd}
    restart: unless-stopped
    volumes:
      - ./config/rspamd:/etc/rspamd/local.d
  clamav:
    image: clamav/clamav:1.3
    container_name: ${COMPOSE_CONTAINERS.clamav}
    restart: unless-stopped
    volumes:
      - ./config/clamav:/etc/clamav
  certbot:
    image: certbot/certbot:v2.11.0
    container_name: ${COMPOSE_CONTAINERS.certbot}
    volumes:
      - ./data/certbot:/etc/letsencrypt
      - ./data/certbot-webroot:/var/www/certbot
`;
}

export interface ConfigFilesResult {
  /** the MYSQL_ROOT_PASSWORD written to .env */
  envPassword: string;
}

/** Dovecot's own statement of the mailbox layout: mail_location, or a userdb home + maildir:~/<sub>. */
function dovecotMailConf(layout: string, mailboxRoot = 'vmail'): string {
  const [, base, sub] = /^(%d\/%u|%d\/%n|%u|%n)(?:\/(.+))?$/.exec(layout) ?? [];
  const at = mailboxRoot === '.' ? '/var/mail' : `/var/mail/${mailboxRoot}`;
  if (!sub) return `mail_location = maildir:${at}/${base}\n`;
  return `mail_location = maildir:~/${sub}\nuserdb {\n  driver = static\n  args = uid=vmail gid=vmail home=${at}/${base}\n}\n`;
}

export function generateConfigFiles(root: string, domains: string[], rng: Rng, owner: Owner, mtime: number, layout = '%d/%u', mailboxRoot = 'vmail'): ConfigFilesResult {
  const w = (rel: string, text: string, mode = 0o644): void => writeOwned(join(root, rel), text, mode, owner, mtime, R, R);
  const d = (rel: string, mode = 0o755): void => mkdirOwned(join(root, rel), mode, owner, R, R);
  const envPassword = `Rt-${rng.hex(12)}`;
  w('docker-compose.yml', composeYml());
  w('.env', `# secrets for docker compose\nMYSQL_ROOT_PASSWORD=${envPassword}\nMYSQL_DATABASE=usermgmt\nMYSQL_USER=usermgmt\nMYSQL_PASSWORD=Um-${rng.hex(10)}\nTZ=Asia/Tokyo\n`, 0o600);
  for (const dir of ['config/postfix', 'config/dovecot/conf.d', 'config/rspamd', 'config/clamav', 'scripts', 'logs']) d(dir);
  w('config/postfix/main.cf', `myhostname = mail.${domains[0]}\nmydestination = localhost\nvirtual_mailbox_domains = ${domains.join(', ')}\n` +
    `virtual_transport = lmtp:inet:dovecot:24\nsmtpd_tls_cert_file = /etc/letsencrypt/live/${domains[0]}/fullchain.pem\n` +
    `smtpd_tls_key_file = /etc/letsencrypt/live/${domains[0]}/privkey.pem\nsmtpd_milters = inet:opendkim:8891, inet:rspamd:11332\nmessage_size_limit = 52428800\n`);
  w('config/postfix/master.cf', 'smtp      inet  n       -       y       -       -       smtpd\nsubmission inet n       -       y       -       -       smtpd\n  -o smtpd_tls_security_level=encrypt\n  -o smtpd_sasl_auth_enable=yes\n');
  w('config/dovecot/dovecot.conf', `protocols = imap lmtp sieve\n${dovecotMailConf(layout, mailboxRoot)}mail_uid = 5000\nmail_gid = 5000\n!include conf.d/*.conf\n`);
  w('config/dovecot/conf.d/10-ssl.conf', `ssl = required\nssl_cert = </etc/letsencrypt/live/${domains[0]}/fullchain.pem\nssl_key = </etc/letsencrypt/live/${domains[0]}/privkey.pem\n`);
  w('config/dovecot/conf.d/90-sieve.conf', 'plugin {\n  sieve = file:/var/mail/sieve/%d/%n;active=/var/mail/sieve/%d/%n/.dovecot.sieve\n}\n');
  w('config/dovecot/dovecot-sql.conf.ext', `driver = mysql\nconnect = host=mariadb dbname=usermgmt user=usermgmt password=Dv-${rng.hex(8)}\n`, 0o600);
  w('config/rspamd/worker-controller.inc', `password = "$2$${rng.hex(20)}";\n`, 0o640);
  w('config/rspamd/milter_headers.conf', 'use = ["x-spamd-bar", "x-spam-level", "authentication-results"];\n');
  w('config/clamav/clamd.conf', 'LogTime yes\nMaxFileSize 50M\nTCPSocket 3310\n');
  w('config/clamav/freshclam.conf', 'DatabaseMirror database.clamav.net\nChecks 12\n');
  w('scripts/add-user.sh', '#!/bin/sh\nset -eu\n# usage: add-user.sh user@domain\ndocker exec -i mailserver-mariadb mariadb usermgmt <<SQL\nINSERT INTO users (email) VALUES (\'$1\');\nSQL\n', 0o755);
  w('scripts/renew-certs.sh', '#!/bin/sh\nset -eu\ndocker compose run --rm certbot renew --quiet\ndocker compose exec dovecot doveadm reload\n', 0o755);
  w('scripts/healthcheck.sh', '#!/bin/sh\ndocker ps --format "{{.Names}} {{.Status}}"\n', 0o755);
  const logLines = (service: string, n: number): string =>
    Array.from({ length: n }, (_, i) => `2025-05-31T0${i % 10}:${String(i % 60).padStart(2, '0')}:00+09:00 mail ${service}[${rng.int(100, 9999)}]: ${rng.pick(['connect from unknown', 'status=sent (250 2.0.0 Ok)', 'Login: user=<user1@example.com>', 'Disconnected: Logged out'])}\n`).join('');
  w('logs/mail.log', logLines('postfix/smtpd', 200), 0o640);
  w('logs/mail.log.1', logLines('postfix/smtpd', 300), 0o640);
  w('logs/dovecot.log', logLines('dovecot', 150), 0o640);
  return { envPassword };
}
