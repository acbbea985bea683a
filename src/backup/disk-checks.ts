/**
 * The backup command's view of a failing disk: refuse a read-only destination before the lock,
 * name the disk when a write fails under the run, and know the lock a run left because the disk
 * failed under it (issue 29).
 */
import type { Logger } from 'pino';
import { DiskFaultError } from '../errors.js';
import { diskHealth, diskProblems, repairAdvice } from '../repository/disk-health.js';
import type { DestinationGuard } from '../repository/guard.js';

/** Throws for a read-only destination; a filesystem with recorded errors is a warning (a backup still beats none). */
export function checkDiskHealth(root: string, log: Logger): string[] {
  const h = diskHealth(root);
  const problems = diskProblems(h, root);
  if (h.readOnly) throw new DiskFaultError(problems[0]);
  for (const p of problems) log.warn({ step: 'disk', device: h.mount?.source, errorCount: h.errorCount }, p);
  return problems;
}

const DISK_ERRNO = new Set(['EROFS', 'EIO', 'ENODEV', 'ENXIO', 'ESTALE']);

/** The error a run should report: the disk's fault when the disk failed, else the error itself. */
export function diskFaultOf(err: unknown, root: string, guard?: DestinationGuard): unknown {
  if (err instanceof DiskFaultError) return err;
  try {
    guard?.check();
  } catch (fault) {
    return fault;
  }
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code && DISK_ERRNO.has(code)) {
    return new DiskFaultError(`writing to the backup disk under ${root} failed (${(err as Error).message}): nothing of this run counts; ${repairAdvice()}`);
  }
  return err;
}
