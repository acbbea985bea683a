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

/**
 * One chunk at `pos` through an aligned buffer. The alignment is learnt from the first read that
 * returns data (an empty file accepts any buffer) and learnt again when a device wants another.
 * Returns the buffer and count, or undefined when no offset is accepted (read through the cache).
 */
function readAligned(fd: number, pos: number): { buf: Buffer; n: number } | undefined {
  if (aligned) {
    try {
      return { buf: aligned, n: readSync(fd, aligned, 0, CHUNK, pos) };
    } catch (err) {
      if (!isEinval(err)) throw err;
    }
  }
  const raw = Buffer.allocUnsafeSlow(CHUNK + MAX_ALIGN);
  for (let off = 0; off < MAX_ALIGN; off += PROBE_STEP) {
    try {
      const n = readSync(fd, raw, off, CHUNK, pos);
      const buf = raw.subarray(off, off + CHUNK);
      if (n > 0) aligned = buf;
      return { buf, n };
    } catch (err) {
      if (!isEinval(err)) throw err;
    }
  }
  return undefined;
}

function openDirect(path: string): number | undefined {
  try {
    return openSync(path, constants.O_RDONLY | constants.O_DIRECT);
  } catch (err) {
    if (isEinval(err)) return undefined; // the filesystem has no O_DIRECT
    throw err;
  }
}

function hashCached(path: string): DirectRead {
  const fd = openSync(path, 'r');
  try {
    const h = createHash('sha256');
    let size = 0;
    for (let n = readSync(fd, plain, 0, CHUNK, 0); n > 0; n = readSync(fd, plain, 0, CHUNK, size)) {
      h.update(plain.subarray(0, n));
      size += n;
    }
    return { sha256: h.digest('hex'), size, direct: false };
  } finally {
    closeSync(fd);
  }
}

/** sha256 and size of `path` as read from the device. Throws the read's error (EIO …). */
export function sha256Direct(path: string): DirectRead {
  const fd = openDirect(path);
  if (fd === undefined) return hashCached(path);
  try {
    const h = createHash('sha256');
    let size = 0;
    for (;;) {
      const r = readAligned(fd, size);
      if (!r) return hashCached(path); // no alignment the device accepts
      h.update(r.buf.subarray(0, r.n));
      size += r.n;
      if (r.n < CHUNK) break; // a short read is the end of the file
    }
    return { sha256: h.digest('hex'), size, direct: true };
  } finally {
    closeSync(fd);
  }
}
