/**
 * Copying one file the way a maildir delivery does: write it under tmp/, give it the original
 * mode, numeric owner and mtime, then link() it into place. link() never replaces an existing
 * name, so a restore cannot overwrite a live message even if one appears meanwhile.
 */
import { constants, promises as fs, type Stats } from 'node:fs';
import { dirname, basename, join } from 'node:path';

export async function applyAttributes(path: string, st: Stats): Promise<void> {
  await fs.chown(path, st.uid, st.gid).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPERM') throw err; // not root: keep our own owner rather than fail
  });
  await fs.chmod(path, st.mode & 0o7777);
  await fs.utimes(path, st.atime, st.mtime);
}

/** Returns false when `dst` already existed (left untouched). */
export async function copyNoReplace(src: string, dst: string, tmpDir = dirname(dst)): Promise<boolean> {
  const st = await fs.stat(src);
  const tmp = join(tmpDir, `.${basename(dst)}.mailbackup-${process.pid}`);
  await fs.copyFile(src, tmp, constants.COPYFILE_EXCL);
  try {
    await applyAttributes(tmp, st);
    await fs.link(tmp, dst);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await fs.unlink(tmp).catch(() => undefined);
  }
}

export async function applyDirAttributes(path: string, like: Stats): Promise<void> {
  await fs.chown(path, like.uid, like.gid).catch(() => undefined);
  await fs.chmod(path, like.mode & 0o7777);
}

/** Creates a directory (and missing parents) with the mode and owner of `like`; an existing one is left as it is. */
export async function mkdirLike(path: string, like: Stats): Promise<void> {
  try {
    await fs.mkdir(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await mkdirLike(dirname(path), like);
    await fs.mkdir(path).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
    });
  }
  await applyDirAttributes(path, like);
}

/** Runs `fn` over `items` with at most `n` at a time (copies overlap I/O latency). */
export async function eachLimit<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}
