import { describe, expect, it } from 'vitest';
import { nextSteps, unfinishedAdvice, type NextStepsInput } from '../../../src/restore/all-plan.js';

describe('restore all: next steps', () => {
  const base: NextStepsInput = {
    dir: '/srv/mailserver',
    snapshot: 'daily/2026-11-27',
    runtime: 'docker',
    databases: ['usermgmt', 'roundcubemail'],
    dbContainer: 'mailserver-mariadb',
    dbService: 'mariadb',
    dovecotContainer: 'mailserver-dovecot',
    sampleUser: 'alice@example.com',
    certificates: ['data/certbot/live/mail.example.com'],
    configArg: '--config /etc/mailbackup/config.yml',
    rootDiffers: false,
    credentials: { file: '/root/.my.cnf', user: 'root', envFile: '/srv/mailserver/.env' },
  };

  it('starts the database, loads every dump of this snapshot, starts the stack, then checks', () => {
    const text = nextSteps(base).join('\n');
    const order = [
      'cd /srv/mailserver && docker compose up -d mariadb',
      'until docker exec mailserver-mariadb mariadb-admin ping --silent',
      // runbook §1.5: restore db logs in with the credentials file's password, which a new machine lacks
      "grep -E 'MYSQL_ROOT_PASSWORD|MARIADB_ROOT_PASSWORD' /srv/mailserver/.env",
      'install -m 600 /dev/null /root/.my.cnf',
      "printf '[client]\\npassword=%s\\n' 'THE-PASSWORD' > /root/.my.cnf",
      'mailbackup --config /etc/mailbackup/config.yml restore db usermgmt --snapshot daily/2026-11-27 --yes',
      'mailbackup --config /etc/mailbackup/config.yml restore db roundcubemail --snapshot daily/2026-11-27 --yes',
      'cd /srv/mailserver && docker compose up -d\n',
      "docker exec mailserver-dovecot doveadm force-resync -A '*'",
      'doveadm mailbox status -u alice@example.com messages INBOX',
      'openssl x509 -noout -subject -enddate -in /srv/mailserver/data/certbot/live/mail.example.com/fullchain.pem',
      'mailbackup --config /etc/mailbackup/config.yml backup',
      'mailbackup --config /etc/mailbackup/config.yml status',
      'mailbackup --config /etc/mailbackup/config.yml schedule --install',
    ];
    let at = -1;
    for (const s of order) {
      const i = text.indexOf(s);
      expect(i, s).toBeGreaterThan(at);
      at = i;
    }
    expect(text).not.toMatch(/source\.root/);
    // runbook §1.7: the last thing is putting the schedule back
    expect(nextSteps(base).at(-1)).toMatch(/^ +mailbackup --config \/etc\/mailbackup\/config\.yml schedule --install\b/);
  });

  it('names the configured credentials file and user; no .env line without a restored .env or on a host database', () => {
    const own = nextSteps({ ...base, credentials: { file: '/etc/mailbackup/db.cnf', user: 'backup' } }).join('\n');
    expect(own).toContain('Put the password of the database user backup into /etc/mailbackup/db.cnf');
    expect(own).toContain("> /etc/mailbackup/db.cnf");
    expect(own).not.toContain('.env');
    expect(nextSteps({ ...base, runtime: 'host' }).join('\n')).not.toContain('MYSQL_ROOT_PASSWORD');
    expect(nextSteps({ ...base, databases: [] }).join('\n')).not.toContain('.my.cnf'); // nothing to load, no password needed
  });

  it('adapts to podman, a host database, an unknown compose service and a different root', () => {
    expect(nextSteps({ ...base, runtime: 'podman' }).join('\n')).toContain('podman compose up -d mariadb');
    expect(nextSteps({ ...base, runtime: 'host' }).join('\n')).toContain('systemctl start mariadb');
    expect(nextSteps({ ...base, dbService: undefined }).join('\n')).toMatch(/no service with container_name mailserver-mariadb/);
    expect(nextSteps({ ...base, rootDiffers: true })[0]).toMatch(/set source\.root: \/srv\/mailserver/);
    expect(nextSteps({ ...base, dir: "/srv/it's here" }).join('\n')).toContain("cd '/srv/it'\\''s here'");
  });
});

describe('restore all: an unfinished target', () => {
  it('says to empty it with its dot files (a glob would keep .env) and run again', () => {
    expect(unfinishedAdvice('/srv/mailserver')).toBe('empty it, dot files included (find /srv/mailserver -mindepth 1 -delete), then run the same restore all again');
    expect(unfinishedAdvice('/srv/a b')).toContain("find '/srv/a b' -mindepth 1 -delete");
  });
});
