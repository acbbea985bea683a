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
import { syncFilesystem } from '../tools/sync.js';
import { readBack, type ReadBackReport } from './readback.js';

const WHAT_TO_DO = 'check `dmesg` and `smartctl -a` for the disk, then unmount it, run `e2fsck -f` on it, mount it again and run the backup';

/** syncfs on the destination; a guard (when given) is asked first and after. */
export async function flushDestination(path: string, what: string, guard?: DestinationGuard, signal?: AbortSignal): Promise<void> {
  guard?.check();
  const r = await syncFilesystem(path, signal);
  guard?.check();
  if (!r.ok) {
    throw new DiskFaultError(`the backup disk did not confirm the writes of ${what} (${r.error}): it is not counted; ${WHAT_TO_DO}`);
  }
}

/** Flush, then read back; returns the read-back's report for backup.json and the log. */
export async function makeDurable(partialDir: string, id: string, o: { log: Logger; guard?: DestinationGuard; signal?: AbortSignal }): Promise<ReadBackReport> {
  const t0 = Date.now();
  await flushDestination(partialDir, `snapshot ${id}`, o.guard, o.signal);
  const flushMs = Date.now() - t0;
  const r = readBack(partialDir);
  if (r.problems.length) {
    const how = r.ioError ? `the disk failed to read them back (${r.ioError})` : 'the disk returned other bytes than were written';
    o.log.error({ problems: r.problems }, `read-back of ${id} failed`);
    throw new DiskFaultError(`snapshot ${id} is not promoted: ${how}: ${r.problems.slice(0, 3).join('; ')}; ${WHAT_TO_DO}`);
  }
  const source = r.direct ? 'from the disk' : 'through the page cache (the filesystem has no O_DIRECT)';
  o.log.info(
    { flushMs, readBack: { files: r.files, bytes: r.bytes, newFiles: r.newFiles, direct: r.direct, durationMs: r.durationMs } },
    `on disk: flushed in ${formatDuration(flushMs)}, ${formatCount(r.files)} of ${formatCount(r.newFiles)} new files (${formatBytes(r.bytes)}) read back ${source} in ${formatDuration(r.durationMs)}`,
  );
  return r;
}
