/**
 * Issue 7 "must show": a drill on a real snapshot (fixture + backup) passes with every phase
 * timed; with one corrupted message and one truncated dump it fails naming both; no scratch
 * database is left behind either way.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixture, type Fixture } from '../helpers/fixture.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp-server.js';
import type { DrillReport } from '../../src/drill/report.js';

let fx: Fixture;
let work: string;
let smtp: TestSmtp;

const scratchDatabases = async () => (await fx.mariadb!.query('SHOW DATABASES')).split('\n').filter((n) => n.endsWith('_drill'));
const newestReport = (): DrillReport => {
  const dir = join(fx.destRoot, 'drills');
  const json = readdirSync(dir).filter((n) => n.endsWith('.json')).sort().at(-1)!;
  return JSON.parse(readFileSync(join(dir, json), 'utf8')) as DrillReport;
};

beforeAll(async () => {
  smtp = await startSmtp();
  fx = await createFixture({ tree: { domains: 2, usersPerDomain: 2, messagesPerFolder: 4 } });
  fx.writeConfig({ notify: { email: { to: ['admin@example.com'], from: 'backup@example.com', smtp: { host: '127.0.0.1', port: smtp.port } } } });
  // not under the fixture's 0700 temp dir: Dovecot runs as the mailbox owner and must reach it
  work = mkdtempSync('/var/tmp/mailbackup-drill-test-');
  chmodSync(work, 0o711);
  await fx.mariadb!.query("CREATE USER 'um_app'@'localhost' IDENTIFIED BY 'drill-pass'; GRANT SELECT ON usermgmt.* TO 'um_app'@'localhost';");
  const b = await fx.run(['backup', '--date', '2026-11-01']);
  expect(b.code, b.stderr).toBe(0);
});
afterAll(async () => {
  if (work) rmSync(work, { recursive: true, force: true });
  await fx?.cleanup();
  await smtp?.close();
});

describe('drill', () => {
  it('passes on a good snapshot, times every phase and leaves nothing behind', async () => {
    const r = await fx.run(['drill', '--workdir', work]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/PASSED/);
    const report = newestReport();
    expect(report.ok).toBe(true);
    expect(report.snapshot).toBe('daily/2026-11-01');
    const phases = report.phases.map((p) => p.name);
    for (const p of ['restore mail', 'restore ssl', 'restore dkim', 'restore config', 'restore logs', 'manifest', 'mailbox counts', 'doveadm', 'database usermgmt', 'database roundcubemail', 'certificates', 'dkim keys']) {
      expect(phases).toContain(p);
    }
    for (const p of report.phases) {
      expect(p.ok).toBe(true);
      expect(Number.isInteger(p.durationMs) && p.durationMs >= 0).toBe(true);
      expect(Date.parse(p.finishedAt)).toBeGreaterThanOrEqual(Date.parse(p.startedAt));
    }
    const byName = Object.fromEntries(report.checks.map((c) => [c.name, c]));
    expect(byName['mailbox counts'].detail).toContain(`${fx.tree.users.length} users, ${fx.tree.totalMessages} messages`);
    expect(byName['doveadm'].status).toBe('ok');
    expect(byName['database usermgmt'].status).toBe('ok');
    expect(byName['database accounts and grants']).toMatchObject({ status: 'ok', detail: expect.stringContaining("'um_app'@'localhost'") });
    expect(byName['RTO total'].status).toBe('ok');
    expect(report.checks.filter((c) => c.name.startsWith('certificate ')).length).toBe(fx.tree.domains.length);
    expect(report.checks.filter((c) => c.name.startsWith('dkim ')).length).toBe(fx.tree.domains.length);
    expect(report.rto.totalMs).toBeGreaterThanOrEqual(report.rto.mailDbMs);
    // status reads these three fields of the newest report
    expect(report.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(typeof report.finishedAt).toBe('string');
    expect(readFileSync(join(fx.destRoot, 'drills', `${report.date}.md`), 'utf8')).toMatch(/^# Recovery drill .*PASSED/);
    expect(statSync(join(fx.destRoot, 'drills', `${report.date}.json`)).mode & 0o777).toBe(0o600);
    expect(readdirSync(work)).toEqual([]);
    expect(await scratchDatabases()).toEqual([]);
    // a passing drill is mailed too: it is the quarterly evidence
    const mail = smtp.messages.at(-1)!;
    expect(mail.subject).toMatch(/drill on .* passed \(daily\/2026-11-01\)/);
    expect(mail.text).toContain('| database usermgmt |');
  });

  it('fails naming a corrupted message and a truncated dump, and still drops the scratch databases', async () => {
    const snap = join(fx.destRoot, 'daily', '2026-11-01');
    const user = fx.tree.users[0];
    const cur = join(snap, 'mail', user.mailboxRel, 'cur');
    const victim = readdirSync(cur).sort()[0];
    const bytes = readFileSync(join(cur, victim));
    bytes[bytes.length - 2] ^= 0x20; // one flipped bit: same size, same name
    writeFileSync(join(cur, victim), bytes);
    const dump = join(snap, 'mysql', 'usermgmt.sql.gz');
    truncateSync(dump, Math.floor(statSync(dump).size / 2));

    const r = await fx.run(['drill', '--workdir', work]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${user.mailboxRel}/cur/${victim}`);
    expect(r.stderr).toMatch(/database usermgmt: .*truncated/);
    const report = newestReport();
    expect(report.ok).toBe(false);
    const failed = report.checks.filter((c) => c.status === 'fail');
    expect(failed.map((c) => c.name).sort()).toEqual(['database usermgmt', 'manifest']);
    expect(failed.find((c) => c.name === 'manifest')!.detail).toContain(`mail/${user.mailboxRel}/cur/${victim}`);
    expect(failed.find((c) => c.name === 'manifest')!.detail).toContain('mysql/usermgmt.sql.gz');
    expect(report.checks.find((c) => c.name === 'database roundcubemail')!.status).toBe('ok');
    expect(await scratchDatabases()).toEqual([]);
    expect(readdirSync(work)).toEqual([]);
    expect(smtp.messages.at(-1)!.subject).toMatch(/drill on .* FAILED: manifest, database usermgmt/);
  });

  it('--keep leaves the scratch directory and databases for inspection', async () => {
    const r = await fx.run(['drill', '--workdir', work, '--keep']);
    expect(r.code).toBe(2);
    const report = newestReport();
    expect(report.kept).toBe(true);
    expect(existsSync(join(report.workdir, 'mail', fx.tree.users[0].mailboxRel, 'cur'))).toBe(true);
    expect((await scratchDatabases()).sort()).toEqual(['roundcubemail_drill', 'usermgmt_drill']);
    await fx.mariadb!.query('DROP DATABASE usermgmt_drill; DROP DATABASE roundcubemail_drill;');
  });

  it('checks grants.sql.gz by parsing: a statement that is not an account statement fails it', async () => {
    const file = join(fx.destRoot, 'daily', '2026-11-01', 'mysql', 'grants.sql.gz');
    const text = execFileSync('gzip', ['-dc', file]).toString().replace('FLUSH PRIVILEGES;', 'DROP DATABASE usermgmt;');
    writeFileSync(file, execFileSync('gzip', ['-c'], { input: text }));
    const meta = JSON.parse(readFileSync(join(fx.destRoot, 'daily', '2026-11-01', 'backup.json'), 'utf8'));
    meta.grants.sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
    writeFileSync(join(fx.destRoot, 'daily', '2026-11-01', 'backup.json'), JSON.stringify(meta));
    const r = await fx.run(['drill', '--workdir', work]);
    expect(r.code).toBe(2); // the drill ran and failed (a crash exits otherwise: 13 once, a hash never settled)
    const check = newestReport().checks.find((c) => c.name === 'database accounts and grants')!;
    expect(check.status).toBe('fail');
    expect(check.detail).toMatch(/not a CREATE USER or GRANT statement: DROP DATABASE usermgmt/);
  });
});
