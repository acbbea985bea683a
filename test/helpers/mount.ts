/**
 * Real filesystems for destination tests (needs root): a loop-mounted ext4 image, so mount-point
 * checks, hardlink counts and "disk full" behave exactly as on the USB disk, or a tmpfs.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Mounted {
  /** the mount point */
  dir: string;
  /** loop ext4 only: the image file, and the options it is mounted with */
  image?: string;
  options?: string;
  /** unmounts (lazily if still busy) and removes the image and temp dirs; safe to call twice */
  cleanup(): Promise<void>;
  /** leave it mounted after this process exits (demo --keep) */
  detach(): void;
}

/** mount point → its temp dir, for everything mounted and not yet cleaned up */
const mounted = new Map<string, string>();
// Last resort when a process exits without cleanup() (crash, Ctrl-C): no mount or image left behind.
process.once('exit', () => {
  for (const [dir, base] of mounted) {
    try {
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      rmSync(base, { recursive: true, force: true });
    } catch {
      /* already gone, or still mounted: then keep its files */
    }
  }
});

function unmount(dir: string): void {
  try {
    execFileSync('umount', [dir], { stdio: 'pipe' });
  } catch {
    // Busy (a crashed child still holds a file): detach now, the kernel frees it later.
    // Not mounted at all (a test unmounted it lazily itself): nothing to do.
    try {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
    } catch (err) {
      if (!/not mounted/.test(String((err as { stderr?: Buffer }).stderr ?? ''))) throw err;
    }
  }
}

function makeCleanup(base: string, dir: string): () => Promise<void> {
  let done = false;
  return async () => {
    if (done) return;
    done = true;
    try {
      unmount(dir);
    } finally {
      mounted.delete(dir);
      rmSync(base, { recursive: true, force: true });
    }
  };
}

function mountOrClean(base: string, args: string[]): void {
  try {
    execFileSync('mount', args, { stdio: 'pipe' });
  } catch (err) {
    rmSync(base, { recursive: true, force: true });
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`mount ${args.join(' ')} failed (root needed): ${stderr.trim() || (err as Error).message}`);
  }
}

/**
 * A fresh ext4 filesystem of `sizeMiB` (sparse image file) mounted on a new temp dir, with
 * `errors=remount-ro` as a careful admin mounts a backup disk. `backingMiB`: the image sits on a
 * tmpfs of that size, so the device below ext4 fails with EIO once the tmpfs is full.
 */
export async function mountLoopExt4(sizeMiB = 512, opts: { backingMiB?: number } = {}): Promise<Mounted> {
  const base = mkdtempSync(join(tmpdir(), 'mailbackup-ext4-'));
  const backing = join(base, 'backing');
  mkdirSync(backing);
  if (opts.backingMiB) mountOrClean(base, ['-t', 'tmpfs', '-o', `size=${opts.backingMiB}m`, 'tmpfs', backing]);
  const image = join(backing, 'disk.img');
  const dir = join(base, 'mnt');
  mkdirSync(dir);
  execFileSync('truncate', ['-s', `${sizeMiB}M`, image]);
  // No reserved blocks: "disk full" tests fill exactly the size they asked for.
  execFileSync('mkfs.ext4', ['-q', '-F', '-m', '0', '-E', 'lazy_itable_init=0,lazy_journal_init=0', image], { stdio: 'pipe' });
  const options = 'loop,errors=remount-ro';
  mountOrClean(base, ['-o', options, image, dir]);
  mounted.set(dir, base);
  const cleanup = makeCleanup(base, dir);
  return {
    dir, image, options,
    cleanup: async () => {
      await cleanup().finally(() => opts.backingMiB && unmountQuietly(backing));
    },
    detach: () => mounted.delete(dir),
  };
}

function unmountQuietly(dir: string): void {
  try {
    execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
  } catch {
    /* not mounted */
  }
}

/** A tmpfs of `sizeMiB` mounted on a new temp dir. */
export async function mountTmpfs(sizeMiB = 64): Promise<Mounted> {
  const base = mkdtempSync(join(tmpdir(), 'mailbackup-tmpfs-'));
  const dir = join(base, 'mnt');
  mkdirSync(dir);
  mountOrClean(base, ['-t', 'tmpfs', '-o', `size=${sizeMiB}m,mode=0755`, 'tmpfs', dir]);
  mounted.set(dir, base);
  return { dir, cleanup: makeCleanup(base, dir), detach: () => mounted.delete(dir) };
}
