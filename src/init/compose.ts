/**
 * Discovery for `init`: which containers run MariaDB and Dovecot, and where on the host the
 * mail store, certbot and OpenDKIM directories live, read from the compose project. Pure: the
 * caller reads the files; everything here is data in, data out (unit-tested).
 */
import { basename, isAbsolute, posix, relative, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** Compose's own search order for the project file. */
export const COMPOSE_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];

export interface Mount {
  /** host path (absolute) of a bind mount */
  source: string;
  /** path inside the container */
  target: string;
}

export interface ComposeService {
  name: string;
  image: string;
  /** container_name, or compose's default `<project>-<service>-1` */
  container: string;
  binds: Mount[];
  env: Record<string, string>;
}

export interface Discovery {
  database?: ComposeService;
  dovecot?: ComposeService;
  /** host paths, absolute */
  mail?: string;
  certbot?: string;
  dkim?: string;
  /** database names the compose file declares (MYSQL_DATABASE / MARIADB_DATABASE) */
  declaredDatabases: string[];
  notes: string[];
}

/** KEY=VALUE lines of a compose .env file (quotes stripped, comments ignored). */
export function parseDotEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(raw);
    if (m) out[m[1]] = m[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

/** Compose variable interpolation: $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, $$. */
export function interpolate(s: string, vars: Record<string, string>): string {
  return s.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, name?: string, op?: string, def?: string, bare?: string) => {
    if (m === '$$') return '$';
    const val = vars[name ?? bare ?? ''];
    if (op === ':-') return val ? val : (def ?? '');
    if (op === '-') return val ?? def ?? '';
    return val ?? '';
  });
}

/** A YAML scalar as compose reads it; a mapping or list where a string belongs reads as empty. */
function scalar(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}

function envOf(svc: Record<string, unknown>, vars: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  const e = svc.environment;
  if (Array.isArray(e)) {
    for (const item of e) {
      const [k, ...v] = String(item).split('=');
      env[k] = interpolate(v.join('='), vars);
    }
  } else if (e && typeof e === 'object') {
    for (const [k, v] of Object.entries(e)) env[k] = interpolate(String(v ?? ''), vars);
  }
  return env;
}

/** Bind mounts only: a named volume has no host path we could back up. */
function bindsOf(svc: Record<string, unknown>, root: string, vars: Record<string, string>): Mount[] {
  const out: Mount[] = [];
  for (const v of (svc.volumes as unknown[]) ?? []) {
    let source: string | undefined;
    let target: string | undefined;
    if (typeof v === 'string') {
      const parts = interpolate(v, vars).split(':');
      if (parts.length >= 2) [source, target] = parts;
    } else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if ((o.type ?? 'bind') === 'bind' && o.source && o.target) {
        source = interpolate(scalar(o.source), vars);
        target = interpolate(scalar(o.target), vars);
      }
    }
    if (!source || !target || !/^[./~]/.test(source)) continue;
    out.push({ source: resolve(root, source), target: posix.normalize(target).replace(/\/+$/, '') || '/' });
  }
  return out;
}

export function parseCompose(text: string, root: string, vars: Record<string, string> = {}): ComposeService[] {
  const doc = (parseYaml(text) ?? {}) as Record<string, unknown>;
  const project = scalar(doc.name ?? vars.COMPOSE_PROJECT_NAME ?? basename(root))
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '');
  const services = (doc.services ?? {}) as Record<string, Record<string, unknown>>;
  return Object.entries(services).map(([name, svc]) => ({
    name,
    image: interpolate(scalar(svc?.image), vars),
    container: svc?.container_name ? interpolate(scalar(svc.container_name), vars) : `${project}-${name}-1`,
    binds: bindsOf(svc ?? {}, root, vars),
    env: envOf(svc ?? {}, vars),
  }));
}

const imageIs = (svc: ComposeService, re: RegExp) => re.test(svc.image.split('@')[0].split(':')[0].split('/').pop() ?? '');

/**
 * The host directory that a container sees as `containerRoot`: a mount of the root itself, or
 * of a subdirectory whose host path ends in the same subpath (./data/certbot/live → /etc/letsencrypt/live).
 */
export function hostDirFor(binds: Mount[], containerRoot: string): string | undefined {
  for (const b of binds) if (b.target === containerRoot) return b.source;
  for (const b of binds) {
    if (!b.target.startsWith(containerRoot + '/')) continue;
    const sub = b.target.slice(containerRoot.length);
    if (b.source.endsWith(sub)) return b.source.slice(0, -sub.length);
  }
  return undefined;
}

/** The mail store holds vmail/ and sieve/: a mount of vmail itself means its parent. */
function mailDirOf(dovecot: ComposeService | undefined, all: ComposeService[]): string | undefined {
  const candidates = [...(dovecot ? [dovecot] : []), ...all].flatMap((s) => s.binds);
  for (const b of candidates) {
    if (/\/(vmail|sieve)$/.test(b.source)) return resolve(b.source, '..');
  }
  for (const b of candidates) {
    if (/^\/(var|srv)\/(v?mail)$/.test(b.target) || /\/mail$/.test(b.source)) return b.source;
  }
  return undefined;
}

export function discover(services: ComposeService[]): Discovery {
  const notes: string[] = [];
  const database = services.find((s) => imageIs(s, /^(mariadb|mysql)$/)) ?? services.find((s) => /mariadb|mysql/i.test(s.name));
  const dovecot = services.find((s) => /dovecot/i.test(s.image) || /dovecot/i.test(s.name));
  const binds = services.flatMap((s) => s.binds);
  const certbot = hostDirFor(binds, '/etc/letsencrypt');
  const dkimSvc = services.find((s) => /opendkim/i.test(s.image) || /opendkim|dkim/i.test(s.name));
  const dkim =
    hostDirFor(dkimSvc?.binds ?? [], '/etc/opendkim') ??
    hostDirFor(binds, '/etc/opendkim') ??
    binds.find((b) => /\/opendkim$/.test(b.source))?.source;
  const declared = [database?.env.MARIADB_DATABASE, database?.env.MYSQL_DATABASE].filter((d): d is string => Boolean(d));
  if (!database) notes.push('no service with a mariadb or mysql image');
  if (!dovecot) notes.push('no Dovecot service (dovecot.container left unset)');
  return { database, dovecot, mail: mailDirOf(dovecot, services), certbot, dkim, declaredDatabases: [...new Set(declared)], notes };
}

/** Config paths are relative to source.root when they lie under it (docs/configuration.md). */
export function configRelative(root: string, abs: string): string {
  const rel = relative(root, abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}
