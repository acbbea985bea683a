/**
 * Turns what the compose project says (Discovery) plus the admin's options into the values
 * of a new config file. Pure apart from the caller-supplied facts (unit-tested).
 */
import { dirname, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { isMountPoint } from '../repository/marker.js';
import { configRelative, type Discovery } from './compose.js';
import { schemaDefaults, type InitValues } from './render.js';

export interface InitOptions {
  sourceRoot: string;
  destination: string;
  requireMountpoint?: string;
  credentialsFile?: string;
  runtime: 'docker' | 'podman' | 'host';
  logDir?: string;
  notifyTo?: string[];
  composeFile: string;
}

/** The nearest mount point above `p` other than `/` (the backup disk), if any. */
function nearestMountPoint(p: string): string | undefined {
  let cur = resolve(p);
  while (!existsSync(cur) && cur !== '/') cur = dirname(cur);
  for (; cur !== '/'; cur = dirname(cur)) if (isMountPoint(cur)) return cur;
  return undefined;
}

export function planConfig(
  d: Discovery,
  o: InitOptions,
  databases: { names: string[] | 'all'; from: string },
  mailboxLayout: { value: string; mailboxRoot: string; comment: string } = { value: 'auto', mailboxRoot: 'vmail', comment: 'detected from the mail tree at each restore and drill' },
): InitValues {
  const def = schemaDefaults();
  const root = resolve(o.sourceRoot);
  const prov: string[] = [`discovered from ${o.composeFile}:`];
  const rel = (found: string | undefined, fallback: string, what: string) => {
    if (found) {
      prov.push(`  ${what}: ${found}`);
      return configRelative(root, found);
    }
    prov.push(`  ${what}: not found in the compose file, default ${fallback} used — check it`);
    return fallback;
  };
  const mail = rel(d.mail, def.source.mail, 'mail store');
  const certbot = rel(d.certbot, def.source.certbot, 'certbot');
  const dkim = rel(d.dkim, def.source.dkim, 'OpenDKIM');
  prov.push(`  database container: ${d.database ? `${d.database.container} (service ${d.database.name}, image ${d.database.image})` : 'not found, default used'}`);
  prov.push(`  dovecot container: ${d.dovecot ? `${d.dovecot.container} (service ${d.dovecot.name})` : 'not found'}`);
  prov.push(`  databases: ${databases.from}`);
  prov.push(`  mailbox layout: ${mailboxLayout.value} under ${mailboxLayout.mailboxRoot} (${mailboxLayout.comment})`);
  const composeName = o.composeFile.split('/').pop() ?? 'docker-compose.yml';
  const config = [composeName, ...def.source.config.filter((c) => c !== 'docker-compose.yml')];
  const logsDir = resolve(root, 'logs');
  return {
    source: {
      root,
      mail,
      mailboxLayout,
      certbot,
      dkim,
      config: config.filter((c, i) => i === 0 || existsSync(resolve(root, c))),
      logs: existsSync(logsDir) ? 'logs' : undefined,
    },
    destination: {
      root: resolve(o.destination),
      requireMountpoint: o.requireMountpoint ?? nearestMountPoint(o.destination),
    },
    database: {
      runtime: o.runtime,
      container: d.database?.container ?? def.database.container,
      user: def.database.user,
      credentialsFile: o.credentialsFile ?? def.database.credentialsFile,
      databases: databases.names,
    },
    dovecot: { container: d.dovecot?.container },
    notifyTo: o.notifyTo,
    logDir: o.logDir,
    provenance: prov,
  };
}
