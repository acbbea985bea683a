/** Destination disk usage (FR-07: warn at 80 %), measured the way `df` shows it. */
import { formatBytes } from '../util/format.js';
import { statfsSync } from 'node:fs';
import type { Config } from '../config/schema.js';

export interface DiskUsage {
  /** like df's Use%: used / (used + available to unprivileged users), rounded up */
  usedPercent: number;
  totalBytes: number;
  /** bytes available to unprivileged users (df's Avail) */
  freeBytes: number;
  usedBytes: number;
}

export function diskUsage(path: string): DiskUsage {
  const s = statfsSync(path, { bigint: false });
  const usedBytes = (s.blocks - s.bfree) * s.bsize;
  const freeBytes = s.bavail * s.bsize;
  const usable = usedBytes + freeBytes;
  const usedPercent = usable === 0 ? 0 : Math.ceil((usedBytes * 100) / usable);
  return { usedPercent, totalBytes: s.blocks * s.bsize, freeBytes, usedBytes };
}

/** Pure: the warning text for a measured usage, or undefined below the threshold. */
export function diskWarningFor(path: string, usage: DiskUsage, warnPercent: number): string | undefined {
  if (usage.usedPercent < warnPercent) return undefined; // at 80 % it warns, as status does
  return (
    `destination disk ${path} is ${usage.usedPercent}% full ` +
    `(${formatBytes(usage.usedBytes)} used, ${formatBytes(usage.freeBytes)} free, warning at ${warnPercent}%); ` +
    'lower retention.daily/weekly and run `mailbackup rotate`, or move the backups to a larger disk'
  );
}

/**
 * Undefined when below the threshold or when the path cannot be measured: a missing
 * destination is reported by the destination check, not as a disk-usage warning.
 */
export function diskWarning(config: Config, path: string): string | undefined {
  let usage: DiskUsage;
  try {
    usage = diskUsage(path);
  } catch {
    return undefined;
  }
  return diskWarningFor(path, usage, config.notify.diskUsageWarnPercent);
}
