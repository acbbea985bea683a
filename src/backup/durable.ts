/**
 * A snapshot counts only once the disk holds it (issue 29): before it is promoted, everything the
 * run wrote is flushed with one syncfs, the filesystem is checked for errors and read-only, and a
 * sample of the new files is read back from the device. Any failure is a DiskFaultError: the
 * snapshot stays `.partial`, `latest` stays where it was.
 */
import type { Logger } from 'pino';
import { DiskFaultError } from '../errors.js';
import { formatBytes, formatCount, formatDuration } from '../log/units.js';
import type { DestinationGuard } from '../repository/guard.js';
import { flushDestination, unconfirmedWrites } from '../repository/flush.js';
import { repairAdvice } from '../repository/disk-health.js';
import { syncFilesystem } from '../tools/sync.js';
import { readBack, type ReadBackReport } from './readback.js';

/**
 * A syncfs started after each component while the next one copies: the flush before promotion
 * has less left to write, and a device that fails writeback is noticed before the rest is copied.
 */
export class BackgroundFlush {
  private readonly pending: Promise<void>[] = [];
  private error?: string;

  constructor(private readonly path: string, private readonly signal?: AbortSignal) {}

  start(): void {
    this.pending.push(syncFilesystem(this.path, this.signal).then((r) => {
      if (!r.ok && !this.signal?.aborted) this.error ??= r.error;
    }));
  }

  /** Throws when a flush so far failed. */
  check(id: string): void {
    if (this.error) throw unconfirmedWrites(`snapshot ${id}`, this.error);
  }

  async settle(id: string): Promise<void> {
    await Promise.all(this.pending);
    this.check(id);
  }
}

/** Flush, then read back; returns the read-back's report for backup.json and the log. */
export async function makeDurable(partialDir: string, id: string, o: { log: Logger; guard?: DestinationGuard; signal?: AbortSignal; early?: BackgroundFlush }): Promise<ReadBackReport> {
  const t0 = Date.now();
  await o.early?.settle(id);
  await flushDestination(partialDir, `snapshot ${id}`, o.guard, o.signal);
  const flushMs = Date.now() - t0;
  const r = readBack(partialDir);
  if (r.problems.length) {
    const how = r.ioError ? `the disk failed to read them back (${r.ioError})` : 'the disk returned other bytes than were written';
    o.log.error({ problems: r.problems }, `read-back of ${id} failed`);
    throw new DiskFaultError(`snapshot ${id} is not promoted: ${how}: ${r.problems.slice(0, 3).join('; ')}; ${repairAdvice()}`);
  }
  const source = r.direct ? 'from the disk' : 'through the page cache (the filesystem has no O_DIRECT)';
  o.log.info(
    { flushMs, readBack: { files: r.files, bytes: r.bytes, newFiles: r.newFiles, direct: r.direct, durationMs: r.durationMs } },
    `on disk: flushed in ${formatDuration(flushMs)}, ${formatCount(r.files)} of ${formatCount(r.newFiles)} new files (${formatBytes(r.bytes)}) read back ${source} in ${formatDuration(r.durationMs)}`,
  );
  return r;
}
