import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { certificateChecks, dkimChecks, dkimPublicKey } from '../../../src/drill/keys.js';

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
