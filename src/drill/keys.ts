/**
 * Certificates and DKIM keys in the restored tree, checked with node:crypto (OpenSSL): a
 * certificate must parse, match its private key and not be expired (warn < 14 days); a DKIM
 * private key must match the p= public key published from its .txt record.
 */
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { errorMessage } from '../errors.js';
import type { DrillCheck } from './report.js';

const WARN_DAYS = 14;
const DAY = 86_400_000;

function certificateCheck(liveDir: string, domain: string, now = new Date()): DrillCheck {
  const name = `certificate ${domain}`;
  try {
    const certFile = existsSync(join(liveDir, 'cert.pem')) ? 'cert.pem' : 'fullchain.pem';
    const cert = new X509Certificate(readFileSync(join(liveDir, certFile)));
    const key = createPrivateKey(readFileSync(join(liveDir, 'privkey.pem')));
    if (!cert.checkPrivateKey(key)) return { name, status: 'fail', detail: `live/${domain}/privkey.pem does not match ${certFile}` };
    const until = new Date(cert.validTo);
    const days = Math.floor((until.getTime() - now.getTime()) / DAY);
    if (days < 0) return { name, status: 'fail', detail: `expired on ${until.toISOString().slice(0, 10)}` };
    const detail = `${cert.subject.replace(/\n/g, ', ')}, matches its key, valid until ${until.toISOString().slice(0, 10)} (${days} days)`;
    return { name, status: days < WARN_DAYS ? 'warn' : 'ok', detail: days < WARN_DAYS ? `${detail}: renew soon` : detail };
  } catch (err) {
    const msg = (err as NodeJS.ErrnoException).code === 'ENOENT' ? `missing or dangling link: ${errorMessage(err)}` : errorMessage(err);
    return { name, status: 'fail', detail: msg };
  }
}

export function certificateChecks(sslDir: string, now = new Date()): DrillCheck[] {
  const live = join(sslDir, 'live');
  const domains = existsSync(live) ? readdirSync(live, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name) : [];
  if (domains.length === 0) return [{ name: 'certificates', status: 'warn', detail: 'no live/<domain>/ certificates in the snapshot' }];
  return domains.sort().map((d) => certificateCheck(join(live, d), d, now));
}

/** The p= value of a DKIM TXT record file (opendkim-genkey layout: quoted strings, possibly split). */
export function dkimPublicKey(txt: string): string | undefined {
  const quoted = [...txt.matchAll(/"([^"]*)"/g)].map((m) => m[1]).join('');
  const record = quoted || txt;
  return /(?:^|;)\s*p=([A-Za-z0-9+/=\s]+)/.exec(record)?.[1].replace(/\s+/g, '');
}

function privateKeyFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...privateKeyFiles(p));
    else if (e.name.endsWith('.private')) out.push(p);
  }
  return out;
}

export function dkimChecks(dkimDir: string): DrillCheck[] {
  const keys = existsSync(dkimDir) ? privateKeyFiles(dkimDir).sort() : [];
  if (keys.length === 0) return [{ name: 'dkim', status: 'warn', detail: 'no *.private DKIM keys in the snapshot' }];
  return keys.map((file) => {
    const rel = relative(dkimDir, file);
    const name = `dkim ${rel}`;
    try {
      const published = dkimPublicKey(readFileSync(file.replace(/\.private$/, '.txt'), 'utf8'));
      if (!published) return { name, status: 'fail', detail: `${rel.replace(/\.private$/, '.txt')} has no p= public key` };
      const actual = (createPublicKey(createPrivateKey(readFileSync(file))).export({ type: 'spki', format: 'der' }) as Buffer).toString('base64');
      return actual === published
        ? { name, status: 'ok', detail: 'private key matches the published p= key' }
        : { name, status: 'fail', detail: 'private key does NOT match the p= key in its .txt record (DNS would reject signatures)' };
    } catch (err) {
      return { name, status: 'fail', detail: errorMessage(err) };
    }
  });
}
