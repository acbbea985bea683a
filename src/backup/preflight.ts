/**
 * Everything checked before the first byte is written (invariant 4 of docs/invariants.md): destination marker and
 * mount point, source paths, tools, and room for the expected new data. Lock comes after this.
 */
import { existsSync, statfsSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import { DestinationError, ToolError } from '../errors.js';
import { checkedDestination } from '../repository/destination.js';
import type { Snapshot } from '../repository/snapshots.js';
import { which } from '../tools/shell.js';
import type { PlannedComponent } from './components.js';

export function checkMarker(config: Config): void {
  checkedDestination(config);
}

/** Source paths that do not exist, by component, so a missing one fails only its component. */
export function missingSources(components: PlannedComponent[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const c of components) {
    const missing = c.requiredPaths.filter((p) => !existsSync(p));
    if (missing.length) out.set(c.name, missing);
  }
  return out;
}

export async function checkTools(): Promise<void> {
  const missing: string[] = [];
  for (const t of ['rsync', 'cp', 'gzip']) if (!(await which(t))) missing.push(t);
  if (missing.length) {
    throw new ToolError(`missing programs: ${missing.join(', ')}; install them (e.g. \`apt-get install ${missing.join(' ')}\` or \`dnf install ${missing.join(' ')}\`)`);
  }
}

/**
 * The next run adds about what the previous one added; refuse early instead of filling the disk
 * halfway through (a full disk fails every later write, including the failure record).
 */
export function checkFreeSpace(root: string, prev: Snapshot | undefined): { freeBytes: number; expectedBytes?: number } {
  const s = statfsSync(root);
  const freeBytes = s.bavail * s.bsize;
  const t = prev?.meta?.totals;
  if (!t) return { freeBytes };
  const dumps = Object.values(prev.meta?.databases ?? {}).reduce((n, d) => n + d.bytes, 0);
  const expectedBytes = Math.ceil((t.addedBytes + dumps) * 1.2);
  if (freeBytes < expectedBytes) {
    throw new DestinationError(
      `destination ${root} has ${freeBytes} bytes free but the last run added ${t.addedBytes + dumps}: ` +
        'free space (`mailbackup rotate`, lower retention) or use a bigger disk',
    );
  }
  return { freeBytes, expectedBytes };
}
