/**
 * Which file components a backup makes and from where: a pure function of the config, so the
 * dry-run plan, the pipeline and the tests agree. Config entries are mirrored by their path
 * relative to source.root; what another component covers (config/opendkim) is left to it.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { sourcePath } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { ComponentSpec } from '../engine/index.js';
import { ConfigError } from '../errors.js';
import type { FileComponent } from '../repository/layout.js';

export interface PlannedComponent extends ComponentSpec {
  name: FileComponent;
  /** source paths that must exist (a missing one fails the component with its name) */
  requiredPaths: string[];
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

export function planComponents(config: Config): PlannedComponent[] {
  const root = resolve(config.source.root);
  const mail = sourcePath(config, config.source.mail);
  const certbot = sourcePath(config, config.source.certbot);
  const dkim = sourcePath(config, config.source.dkim);
  const logs = config.source.logs ? sourcePath(config, config.source.logs) : undefined;
  const owned = [mail, certbot, dkim, ...(logs ? [logs] : [])];

  const entries = config.source.config.map((e) => relative(root, sourcePath(config, e)));
  const outside = entries.filter((e) => e.startsWith('..') || isAbsolute(e));
  if (outside.length) {
    throw new ConfigError(`source.config entries must lie under source.root ${root}: ${outside.join(', ')}`);
  }
  // Anchored excludes (rsync -R keeps the entry path) for other components inside a config entry.
  const configExcludes = owned
    .filter((p) => entries.some((e) => isInside(p, resolve(root, e)) && resolve(root, e) !== p))
    .map((p) => `/${relative(root, p)}`);

  const out: PlannedComponent[] = [
    { name: 'mail', source: { dir: mail }, exclude: config.source.exclude, maildir: true, requiredPaths: [mail] },
    { name: 'ssl', source: { dir: certbot }, requiredPaths: [certbot] },
    { name: 'dkim', source: { dir: dkim }, requiredPaths: [dkim] },
    {
      name: 'config',
      source: { base: root, entries },
      exclude: configExcludes,
      requiredPaths: entries.map((e) => resolve(root, e)),
    },
  ];
  if (logs) out.push({ name: 'logs', source: { dir: logs }, requiredPaths: [logs] });
  return out;
}
