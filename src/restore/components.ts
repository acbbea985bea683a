/**
 * Where each file component of a snapshot lives on the server: the inverse of what backup
 * copies. config/ holds source.config entries by their path relative to source.root, so it
 * maps onto source.root itself.
 */
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import { sourcePath } from '../config/load.js';
import type { FileComponent } from '../repository/layout.js';

export type RestorableComponent = Exclude<FileComponent, 'mail'>;

/** Absolute live location of a component, or undefined when it is not configured (logs). */
export function liveLocation(config: Config, c: FileComponent): string | undefined {
  const s = config.source;
  switch (c) {
    case 'mail':
      return sourcePath(config, s.mail);
    case 'ssl':
      return sourcePath(config, s.certbot);
    case 'dkim':
      return sourcePath(config, s.dkim);
    case 'logs':
      return s.logs ? sourcePath(config, s.logs) : undefined;
    case 'config':
      return resolve(s.root);
  }
}

/** The same location relative to source.root, for laying a component out under a new root. */
export function relativeLocation(config: Config, c: FileComponent): string | undefined {
  const live = liveLocation(config, c);
  if (live === undefined) return undefined;
  const rel = relative(resolve(config.source.root), live);
  if (rel === '') return '';
  // outside source.root: keep the absolute path below a marker directory rather than guess
  return rel.startsWith('..') || isAbsolute(rel) ? join('_outside_source_root', live) : rel;
}
