/**
 * Real faults of a backup disk on a loop-mounted ext4 (mount.ts, `errors=remount-ro`): an ext4
 * error (the filesystem turns read-only and its journal aborts, as after a bad sector), and the
 * admin's repair: unmount, e2fsck, mount again. Root only.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Mounted } from './mount.js';

/** /dev/loopN of a mount point. */
function deviceOf(mountDir: string): string {
  return execFileSync('findmnt', ['-no', 'SOURCE', '--mountpoint', mountDir], { encoding: 'utf8' }).trim();
}

/** What ext4 does on a real I/O error under `errors=remount-ro`: journal aborted, read-only at once. */
export function triggerFsError(mountDir: string): void {
  writeFileSync(`/sys/fs/ext4/${basename(deviceOf(mountDir))}/trigger_fs_error`, '1');
}

export function isMounted(dir: string): boolean {
  return spawnSync('mountpoint', ['-q', dir]).status === 0;
}

/**
 * The admin's repair: unmount (if still mounted), `e2fsck -fy`, mount again with the same
 * options. Returns e2fsck's exit code (0 clean, 1 errors corrected).
 */
export function repairAndRemount(disk: Mounted): number {
  if (isMounted(disk.dir)) execFileSync('umount', [disk.dir]);
  const fsck = spawnSync('e2fsck', ['-fy', disk.image!], { encoding: 'utf8' });
  if (fsck.status !== 0 && fsck.status !== 1) throw new Error(`e2fsck exit ${fsck.status}: ${fsck.stdout}${fsck.stderr}`);
  execFileSync('mount', ['-o', disk.options!, disk.image!, disk.dir]);
  return fsck.status;
}

/** The tmpfs under an image made with `backingMiB` gets room again (before the repair). */
export function growBacking(disk: Mounted, sizeMiB: number): void {
  execFileSync('mount', ['-o', `remount,size=${sizeMiB}m`, dirname(disk.image!)]);
}

/** A shell wrapper for `rsync` that stops the mail copy until `go` exists (the fault happens meanwhile). */
export function pausingRsync(dir: string): { binDir: string; paused: string; go: string } {
  const paused = join(dir, 'paused');
  const go = join(dir, 'go');
  execFileSync('mkdir', ['-p', dir]);
  writeFileSync(join(dir, 'rsync'), [
    '#!/bin/sh',
    `case "$*" in *"/data/mail/"*) if [ ! -e "${paused}" ]; then echo $$ > "${paused}"; while [ ! -e "${go}" ]; do sleep 0.05; done; fi;; esac`,
    'exec /usr/bin/rsync "$@"',
    '',
  ].join('\n'), { mode: 0o755 });
  return { binDir: dir, paused, go };
}
