import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { certificateChecks, dkimChecks, dkimPublicKey } from '../../../src/drill/keys.js';
import { blockedAncestor, compareCounts, countMailboxes } from '../../../src/drill/mailboxes.js';
import { measureRto, renderMarkdown, rtoChecks, type DrillPhase, type DrillReport } from '../../../src/drill/report.js';
import { parseLayout } from '../../../src/mailbox/layout.js';

const tmp = mkdtempSync(join(tmpdir(), 'mailbackup-drill-unit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cert(dir: string, days: number, keyFor?: string): void {
  mkdirSync(dir, { recursive: true });
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'privkey.pem'), '-out', join(dir, 'cert.pem'), '-days', String(days), '-subj', '/CN=mail.test'], { stdio: 'pipe' });
  if (keyFor) execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', join(dir, 'privkey.pem')], { stdio: 'pipe' });
}

describe('certificate checks', () => {
  const ssl = join(tmp, 'ssl');
  cert(join(ssl, 'live', 'good.test'), 90);
  cert(join(ssl, 'live', 'soon.test'), 5);
  cert(join(ssl, 'live', 'wrongkey.test'), 90, 'other');
  mkdirSync(join(ssl, 'live', 'dangling.test'));
  const byName = Object.fromEntries(certificateChecks(ssl).map((c) => [c.name, c]));

  it('passes a valid certificate that matches its key', () => expect(byName['certificate good.test'].status).toBe('ok'));
  it('warns when it expires within 14 days', () => expect(byName['certificate soon.test']).toMatchObject({ status: 'warn', detail: expect.stringMatching(/renew soon/) }));
  it('fails a certificate whose private key does not match', () => expect(byName['certificate wrongkey.test']).toMatchObject({ status: 'fail', detail: expect.stringMatching(/does not match/) }));
  it('fails missing files (dangling live/ links)', () => expect(byName['certificate dangling.test']).toMatchObject({ status: 'fail', detail: expect.stringMatching(/missing or dangling/) }));
  it('fails an expired certificate', () => {
    const later = new Date(Date.now() + 100 * 86_400_000);
    const c = certificateChecks(ssl, later).find((x) => x.name === 'certificate good.test')!;
    expect(c).toMatchObject({ status: 'fail', detail: expect.stringMatching(/expired/) });
  });
});

describe('DKIM checks', () => {
  const dkim = join(tmp, 'dkim');
  const key = () => generateKeyPairSync('rsa', { modulusLength: 1024 });
  const write = (domain: string, priv: ReturnType<typeof key>, pub: ReturnType<typeof key>) => {
    mkdirSync(join(dkim, 'keys', domain), { recursive: true });
    writeFileSync(join(dkim, 'keys', domain, 'default.private'), priv.privateKey.export({ type: 'pkcs1', format: 'pem' }));
    const p = (pub.publicKey.export({ type: 'spki', format: 'der' }) as Buffer).toString('base64');
    const rec = `v=DKIM1; h=sha256; k=rsa; p=${p}`.match(/.{1,100}/g)!.map((s) => `"${s}"`).join('\n\t  ');
    writeFileSync(join(dkim, 'keys', domain, 'default.txt'), `default._domainkey\tIN\tTXT\t( ${rec} )  ; ----- DKIM key default for ${domain}\n`);
  };
  const a = key();
  write('a.test', a, a);
  write('b.test', key(), key());

  it('reads p= from a split opendkim-genkey record', () => {
    expect(dkimPublicKey('x IN TXT ( "v=DKIM1; k=rsa; " "p=AB" "CD==" )')).toBe('ABCD==');
  });
  it('passes a key matching its record and fails one that does not', () => {
    const byName = Object.fromEntries(dkimChecks(dkim).map((c) => [c.name, c.status]));
    expect(byName).toEqual({ 'dkim keys/a.test/default.private': 'ok', 'dkim keys/b.test/default.private': 'fail' });
  });
});

describe.each([
  ['%d/%u', 'vmail/example.com/alice@example.com'],
  ['%d/%n', 'vmail/example.com/alice'],
  ['%d/%n/Maildir', 'vmail/example.com/alice/Maildir'],
])('mailbox counts (layout %s)', (name, box) => {
  const boxes = parseLayout(name);
  const base = join(tmp, name.replace(/[%/]/g, '_'));
  const mk = (root: string, extra = 0) => {
    for (const f of ['', '.Sent', '.Archive.2024']) {
      for (const s of ['cur', 'new', 'tmp']) mkdirSync(join(root, box, f, s), { recursive: true });
      writeFileSync(join(root, box, f, 'cur', '1.M1P1.h,S=1:2,S'), 'x');
    }
    for (let i = 0; i < extra; i++) writeFileSync(join(root, box, 'new', `${i}.M2P2.h`), 'y');
  };
  mk(join(base, 'm1'));
  mk(join(base, 'm2'), 1);

  it('counts INBOX and .Folder maildirs and their messages per user', () => {
    expect(countMailboxes(join(base, 'm1', 'vmail'), boxes).get('alice@example.com')).toMatchObject({ mailboxes: 3, messages: 3, dir: join(base, 'm1', box) });
  });
  it('names the user whose counts differ', () => {
    const c = compareCounts(countMailboxes(join(base, 'm2', 'vmail'), boxes), countMailboxes(join(base, 'm1', 'vmail'), boxes));
    expect(c).toMatchObject({ status: 'fail', detail: expect.stringContaining('alice@example.com: 3 mailboxes/3 messages restored, snapshot has 3/4') });
  });
});

describe('mailbox owner access', () => {
  it('finds a parent directory the mailbox owner cannot enter', () => {
    const closed = join(tmp, 'closed');
    mkdirSync(join(closed, 'inner'), { recursive: true });
    chmodSync(closed, 0o700);
    expect(blockedAncestor(join(closed, 'inner'), 5000, 5000)).toBe(closed);
    expect(blockedAncestor(join(tmp, 'm1'), 5000, 5000)).toBe(tmp); // mkdtemp makes 0700 dirs
    chmodSync(closed, 0o711);
    chmodSync(tmp, 0o711);
    expect(blockedAncestor(join(closed, 'inner'), 5000, 5000)).toBeUndefined();
  });
});

describe('tables, RTO and the report', () => {
  const phase = (name: string, durationMs: number): DrillPhase => ({ name, durationMs, ok: true, startedAt: '', finishedAt: '' });
  const phases = [phase('restore mail', 3_000_000), phase('restore ssl', 1000), phase('manifest', 9_000_000), phase('database usermgmt', 12_000_000)];

  it('measures RTO from restore and load phases only, and compares with the targets', () => {
    const rto = measureRto(phases);
    expect(rto).toEqual({ mailDbMs: 15_000_000, totalMs: 15_001_000 });
    expect(rtoChecks(rto, 4, 24).map((c) => c.status)).toEqual(['fail', 'ok']); // 4.17 h > 4 h
    expect(rtoChecks(rto, 5, 24).map((c) => c.status)).toEqual(['ok', 'ok']);
  });

  it('renders every phase with its time and every check', () => {
    const r: DrillReport = {
      format: 1, date: '2026-11-28', startedAt: 'a', finishedAt: 'b', ok: false, snapshot: 'daily/2026-11-27', host: 'h', workdir: '/w', kept: false, phases,
      checks: [{ name: 'manifest', status: 'fail', detail: 'content differs | x' }],
      rto: { mailDbMs: 1, totalMs: 2, targetMailDbHours: 4, targetTotalHours: 24 },
    };
    const md = renderMarkdown(r);
    expect(md).toMatch(/^# Recovery drill 2026-11-28: FAILED/);
    expect(md).toContain('| database usermgmt | 12000.0 | ok |');
    expect(md).toContain('| manifest | ✘ FAILED | content differs \\| x |');
  });
});
