/** Which repositories a command works on, the restic host name, and the destination lock. */
import { hostname } from 'node:os';
import type { Config, OffsiteConfig, OffsiteRepository } from '../config/schema.js';
import { ConfigError, UsageError } from '../errors.js';
import { openDestination, type Destination } from '../repository/destination.js';

export function offsiteConfig(config: Config): OffsiteConfig {
  if (!config.offsite) {
    throw new ConfigError('no `offsite:` block in the config: add one with at least one repository (see docs/offsite.md)');
  }
  return config.offsite;
}

/** All repositories, or the one named by --repo. */
export function selectRepositories(config: Config, name?: string): OffsiteRepository[] {
  const repos = offsiteConfig(config).repositories;
  if (!name) return repos;
  const found = repos.find((r) => r.name === name);
  if (!found) throw new UsageError(`no offsite repository named ${name}; configured: ${repos.map((r) => r.name).join(', ')}`);
  return [found];
}

export function resticHost(config: Config): string {
  return config.offsite?.host ?? hostname();
}

/**
 * Runs `fn` while holding the destination lock, so rotation cannot delete the snapshot being
 * pushed. The one place offsite takes a lock (a shared reader lock will replace it).
 */
/**
 * A push reads one snapshot: it holds it as a reader (shared lock), so a backup's rotation
 * meanwhile defers deleting it instead of pulling it away under restic.
 */
export async function withDestinationReader<T>(config: Config, command: string, fn: (dest: Destination) => Promise<T>): Promise<T> {
  const dest = await openDestination(config, 'shared', { command });
  try {
    return await fn(dest);
  } finally {
    dest.release();
  }
}
