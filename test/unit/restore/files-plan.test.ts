import { describe, expect, it } from 'vitest';
import { nextSteps, type NextStepsInput } from '../../../src/restore/all-plan.js';
import { isNoop, planFiles } from '../../../src/restore/files-plan.js';
import type { Tree, TreeEntry } from '../../../src/restore/tree.js';

const e = (over: Partial<TreeEntry> = {}): TreeEntry => ({ type: 'file', mode: 0o644, uid: 0, gid: 0, size: 10, mtimeMs: 1000, ...over });
const tree = (entries: Record<string, TreeEntry>): Tree => new Map(Object.entries(entries));

describe('restore files plan', () => {
  it('creates the missing, replaces what differs in content, mode, owner or link target, leaves the rest', () => {
    const snap = tree({
      live: e({ type: 'dir', mode: 0o755 }),
      'live/cert.pem': e({ type: 'link', size: 0, link: '../archive/cert1.pem' }),
      'live/key.pem': e({ type: 'link', size: 0, link: '../archive/key1.pem' }),
      'archive/key1.pem': e({ mode: 0o600 }),
      'archive/cert1.pem': e(),
      'renewal.conf': e({ size: 20 }),
      'owner.txt': e({ uid: 5000 }),
      'same.txt': e(),
      'was-a-file': e(),
    });
    const live = tree({
      live: e({ type: 'dir', mode: 0o755 }),
      'live/cert.pem': e({ type: 'link', size: 0, link: '../archive/cert2.pem' }),
      'archive/key1.pem': e({ mode: 0o644 }),
      'archive/cert1.pem': e(),
      'renewal.conf': e({ size: 21, mtimeMs: 5000 }),
      'owner.txt': e(),
      'same.txt': e(),
      'was-a-file': e({ type: 'dir', size: 0 }),
      'extra.txt': e(),
    });
    const p = planFiles(snap, live);
    expect(p.create).toEqual(['live/key.pem']);
    expect(p.replace.sort()).toEqual(['archive/key1.pem', 'live/cert.pem', 'owner.txt', 'renewal.conf']);
    expect(p.unchanged.sort()).toEqual(['archive/cert1.pem', 'live', 'same.txt']);
    expect(p.conflicts).toEqual(['was-a-file']);
    expect(p.extraLive).toEqual(['extra.txt']);
    expect(isNoop(p)).toBe(false);
    expect(isNoop(planFiles(snap, snap))).toBe(true);
  });
});

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
  };

  it('starts the database, loads every dump of this snapshot, starts the stack, then checks', () => {
    const text = nextSteps(base).join('\n');
    const order = [
      'cd /srv/mailserver && docker compose up -d mariadb',
      'until docker exec mailserver-mariadb mariadb-admin ping --silent',
      'mailbackup --config /etc/mailbackup/config.yml restore db usermgmt --snapshot daily/2026-11-27 --yes',
      'mailbackup --config /etc/mailbackup/config.yml restore db roundcubemail --snapshot daily/2026-11-27 --yes',
      'cd /srv/mailserver && docker compose up -d\n',
      "docker exec mailserver-dovecot doveadm force-resync -A '*'",
      'doveadm mailbox status -u alice@example.com messages INBOX',
      'openssl x509 -noout -subject -enddate -in /srv/mailserver/data/certbot/live/mail.example.com/fullchain.pem',
      'mailbackup --config /etc/mailbackup/config.yml backup',
    ];
    let at = -1;
    for (const s of order) {
      const i = text.indexOf(s);
      expect(i, s).toBeGreaterThan(at);
      at = i;
    }
    expect(text).not.toMatch(/source\.root/);
  });

  it('adapts to podman, a host database, an unknown compose service and a different root', () => {
    expect(nextSteps({ ...base, runtime: 'podman' }).join('\n')).toContain('podman compose up -d mariadb');
    expect(nextSteps({ ...base, runtime: 'host' }).join('\n')).toContain('systemctl start mariadb');
    expect(nextSteps({ ...base, dbService: undefined }).join('\n')).toMatch(/no service with container_name mailserver-mariadb/);
    expect(nextSteps({ ...base, rootDiffers: true })[0]).toMatch(/set source\.root: \/srv\/mailserver/);
    expect(nextSteps({ ...base, dir: "/srv/it's here" }).join('\n')).toContain("cd '/srv/it'\\''s here'");
  });
});
