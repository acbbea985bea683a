/**
 * Real key material, laid out exactly as certbot and opendkim-genkey leave it:
 * certbot/archive/<d>/{cert1,chain1,fullchain1,privkey1}.pem, live/<d>/*.pem as RELATIVE
 * symlinks into ../../archive/<d>/, renewal/<d>.conf, accounts/; and opendkim keys/<d>/default.*
 * with the DNS TXT record of the very key. Keys are real random keys (not seeded), made once
 * per domain per process.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdirOwned, writeOwned, type Owner } from './mailtree-maildir.js';

const ROOT = 0;
/** uid/gid of opendkim inside the usual images */
const OPENDKIM_UID = 101;
const OPENDKIM_GID = 101;

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: 'pipe' });
}

// Key generation dominates a small tree's build time: one set per domain per process is enough.
const certCache = new Map<string, { cert: string; chain: string; key: string }>();
const dkimCache = new Map<string, { pem: string; p: string }>();

/** A small CA (the "chain") and a 90-day leaf certificate for mail.<domain> signed by it. */
function issueCertificate(domain: string): { cert: string; chain: string; key: string } {
  const cached = certCache.get(domain);
  if (cached) return cached;
  const work = mkdtempSync(join(tmpdir(), 'mailbackup-cert-'));
  try {
    const p = (n: string): string => join(work, n);
    // ECDSA P-256: certbot's default key type since 2.0 (and fast to generate).
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
    openssl(['req', '-x509', ...ec, '-nodes', '-keyout', p('ca.key'), '-out', p('ca.pem'),
      '-days', '365', '-subj', '/C=US/O=Test Encrypt/CN=Test R11']);
    openssl(['req', '-x509', ...ec, '-nodes', '-keyout', p('leaf.key'), '-out', p('leaf.pem'),
      '-days', '90', '-subj', `/CN=mail.${domain}`, '-CA', p('ca.pem'), '-CAkey', p('ca.key'),
      '-addext', `subjectAltName=DNS:mail.${domain},DNS:${domain}`]);
    const issued = { cert: readFileSync(p('leaf.pem'), 'utf8'), chain: readFileSync(p('ca.pem'), 'utf8'), key: readFileSync(p('leaf.key'), 'utf8') };
    certCache.set(domain, issued);
    return issued;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

let accountKey: object | undefined;

export function generateCertbot(dir: string, domains: string[], owner: Owner, mtime: number): void {
  for (const sub of ['archive', 'live', 'renewal', 'accounts/acme-v02.api.letsencrypt.org/directory']) {
    mkdirOwned(join(dir, sub), sub === 'archive' || sub === 'live' ? 0o700 : 0o755, owner, ROOT, ROOT);
  }
  const account = join(dir, 'accounts/acme-v02.api.letsencrypt.org/directory/4f2a1c0e9b8d7a6f5e4d3c2b1a0f9e8d');
  mkdirOwned(account, 0o700, owner, ROOT, ROOT);
  writeOwned(join(account, 'meta.json'), '{"creation_dt": "2024-01-10T03:00:00Z", "creation_host": "mail.example.com"}\n', 0o644, owner, mtime, ROOT, ROOT);
  writeOwned(join(account, 'regr.json'), '{"body": {}, "uri": "https://acme-v02.api.letsencrypt.org/acme/acct/123456789"}\n', 0o644, owner, mtime, ROOT, ROOT);
  accountKey ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  writeOwned(join(account, 'private_key.json'), JSON.stringify(accountKey) + '\n', 0o400, owner, mtime, ROOT, ROOT);

  for (const domain of domains) {
    const archive = join(dir, 'archive', domain);
    const live = join(dir, 'live', domain);
    mkdirOwned(archive, 0o755, owner, ROOT, ROOT);
    mkdirOwned(live, 0o755, owner, ROOT, ROOT);
    const { cert, chain, key } = issueCertificate(domain);
    const files: Record<string, [string, number]> = {
      cert: [cert, 0o644],
      chain: [chain, 0o644],
      fullchain: [cert + chain, 0o644],
      privkey: [key, 0o600],
    };
    for (const [name, [content, mode]] of Object.entries(files)) {
      writeOwned(join(archive, `${name}1.pem`), content, mode, owner, mtime, ROOT, ROOT);
      symlinkSync(`../../archive/${domain}/${name}1.pem`, join(live, `${name}.pem`));
    }
    writeFileSync(join(live, 'README'), 'This directory contains your keys and certificates.\n');
    writeOwned(
      join(dir, 'renewal', `${domain}.conf`),
      `# renew_before_expiry = 30 days\nversion = 2.1.0\narchive_dir = /etc/letsencrypt/archive/${domain}\n` +
        `cert = /etc/letsencrypt/live/${domain}/cert.pem\nprivkey = /etc/letsencrypt/live/${domain}/privkey.pem\n` +
        `chain = /etc/letsencrypt/live/${domain}/chain.pem\nfullchain = /etc/letsencrypt/live/${domain}/fullchain.pem\n\n` +
        `[renewalparams]\naccount = 4f2a1c0e9b8d7a6f5e4d3c2b1a0f9e8d\nauthenticator = webroot\nserver = https://acme-v02.api.letsencrypt.org/directory\nkey_type = ecdsa\n`,
      0o644, owner, mtime, ROOT, ROOT,
    );
  }
}

/** An RSA 2048 key as opendkim-genkey makes it (PKCS#1 PEM) and its public key for p=. */
function dkimKey(domain: string): { pem: string; p: string } {
  let key = dkimCache.get(domain);
  if (!key) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    key = {
      pem: privateKey.export({ type: 'pkcs1', format: 'pem' }) as string,
      p: (publicKey.export({ type: 'spki', format: 'der' }) as Buffer).toString('base64'),
    };
    dkimCache.set(domain, key);
  }
  return key;
}

/** DNS TXT record in opendkim-genkey's own layout (the p= value split into 255-char strings). */
function dkimTxt(domain: string, p: string): string {
  const record = `v=DKIM1; h=sha256; k=rsa; p=${p}`;
  const parts = record.match(/.{1,250}/g) ?? [];
  return `default._domainkey\tIN\tTXT\t( ${parts.map((s) => `"${s}"`).join('\n\t  ')} )  ; ----- DKIM key default for ${domain}\n`;
}

export function generateOpendkim(dir: string, domains: string[], owner: Owner, mtime: number): void {
  mkdirOwned(join(dir, 'keys'), 0o750, owner, OPENDKIM_UID, OPENDKIM_GID);
  const keyTable: string[] = [];
  const signingTable: string[] = [];
  for (const domain of domains) {
    const keyDir = join(dir, 'keys', domain);
    mkdirOwned(keyDir, 0o700, owner, OPENDKIM_UID, OPENDKIM_GID);
    const { pem, p } = dkimKey(domain);
    writeOwned(join(keyDir, 'default.private'), pem, 0o600, owner, mtime, OPENDKIM_UID, OPENDKIM_GID);
    writeOwned(join(keyDir, 'default.txt'), dkimTxt(domain, p), 0o644, owner, mtime, OPENDKIM_UID, OPENDKIM_GID);
    keyTable.push(`default._domainkey.${domain} ${domain}:default:/etc/opendkim/keys/${domain}/default.private`);
    signingTable.push(`*@${domain} default._domainkey.${domain}`);
  }
  const file = (name: string, text: string): void =>
    writeOwned(join(dir, name), text, 0o644, owner, mtime, OPENDKIM_UID, OPENDKIM_GID);
  file('KeyTable', keyTable.join('\n') + '\n');
  file('SigningTable', signingTable.join('\n') + '\n');
  file('TrustedHosts', '127.0.0.1\n::1\nlocalhost\n172.16.0.0/12\n' + domains.map((d) => `*.${d}`).join('\n') + '\n');
  file('opendkim.conf', 'Syslog yes\nUMask 007\nCanonicalization relaxed/simple\nMode sv\nKeyTable refile:/etc/opendkim/KeyTable\n' +
    'SigningTable refile:/etc/opendkim/SigningTable\nExternalIgnoreList /etc/opendkim/TrustedHosts\nInternalHosts /etc/opendkim/TrustedHosts\nSocket inet:8891@0.0.0.0\n');
}
