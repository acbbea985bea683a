/**
 * Reads a file as the disk returns it, not as the page cache holds it: a check that reads back
 * what was just written from memory proves nothing about the disk. O_DIRECT bypasses the cache;
 * it wants the buffer's address aligned to the device's block size, which Node cannot ask for,
 * so the first read probes offsets into one larger buffer until the kernel takes one. A
 * filesystem without O_DIRECT (older tmpfs) is read through the cache, and the result says so.
 */
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';

const CHUNK = 1024 * 1024;
const PROBE_STEP = 16;
const MAX_ALIGN = 4096;

let aligned: Buffer | undefined;
const plain = Buffer.allocUnsafeSlow(CHUNK);

export interface DirectRead {
  sha256: string;
  size: number;
  /** false when the filesystem refused O_DIRECT and the page cache served the read */
  direct: boolean;
}

const isEinval = (err: unknown) => (err as NodeJS.ErrnoException).code === 'EINVAL';

/** The first chunk, read into the first offset of a larger buffer that the kernel accepts. */
function probeRead(fd: number): number {
  const raw = Buffer.allocUnsafeSlow(CHUNK + MAX_ALIGN);
  for (let off = 0; off < MAX_ALIGN; off += PROBE_STEP) {
    try {
      const n = readSync(fd, raw, off, CHUNK, 0);
      aligned = raw.subarray(off, off + CHUNK);
      return n;
    } catch (err) {
      if (!isEinval(err)) throw err;
    }
  }
  throw Object.assign(new Error('no buffer alignment accepted for O_DIRECT'), { code: 'EINVAL' });
}

function openDirect(path: string): number | undefined {
  try {
    return openSync(path, constants.O_RDONLY | constants.O_DIRECT);
  } catch (err) {
    if (isEinval(err)) return undefined; // the filesystem has no O_DIRECT
    throw err;
  }
}

function hashFd(fd: number, buf: Buffer, first?: number): { sha256: string; size: number } {
  const h = createHash('sha256');
  let size = 0;
  for (let n = first ?? readSync(fd, buf, 0, CHUNK, 0); n > 0; n = n < CHUNK ? 0 : readSync(fd, buf, 0, CHUNK, size)) {
    h.update(buf.subarray(0, n));
    size += n;
  }
  return { sha256: h.digest('hex'), size };
}

/** sha256 and size of `path` as read from the device. Throws the read's error (EIO …). */
export function sha256Direct(path: string): DirectRead {
  const fd = openDirect(path);
  if (fd === undefined) {
    const cached = openSync(path, 'r');
    try {
      return { ...hashFd(cached, plain), direct: false };
    } finally {
      closeSync(cached);
    }
  }
  try {
    if (aligned) return { ...hashFd(fd, aligned), direct: true };
    const first = probeRead(fd);
    return { ...hashFd(fd, aligned!, first), direct: true };
  } finally {
    closeSync(fd);
  }
}
