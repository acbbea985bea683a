/**
 * A sequential file writer whose already-written fixed-width fields can be filled in later:
 * the manifest's lines are written in walk order with a placeholder hash, and each hash is
 * patched in when its worker finishes — so no line waits in memory for its hash.
 * A patch lands in the 1 MB buffer if it is still there, else on disk via pwrite; a line is
 * never split across flushes, so a field is always wholly in one or the other.
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';

const BUFFER = 1 << 20;

export class PatchWriter {
  private readonly fd: number;
  private readonly buf = Buffer.allocUnsafe(BUFFER);
  private used = 0;
  private flushed = 0;
  private closed = false;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w', 0o600);
  }

  /** byte offset where the next write() starts */
  get position(): number {
    return this.flushed + this.used;
  }

  write(s: string): void {
    const n = Buffer.byteLength(s);
    if (this.used + n > BUFFER) this.flush();
    if (n > BUFFER) {
      writeSync(this.fd, s);
      this.flushed += n;
      return;
    }
    this.buf.write(s, this.used);
    this.used += n;
  }

  /** overwrite ASCII `s` at absolute byte `offset` (inside something already written) */
  patch(offset: number, s: string): void {
    if (offset >= this.flushed) this.buf.write(s, offset - this.flushed, 'latin1');
    else writeSync(this.fd, s, offset, 'latin1');
  }

  private flush(): void {
    if (this.used > 0) writeSync(this.fd, this.buf, 0, this.used);
    this.flushed += this.used;
    this.used = 0;
  }

  finish(): void {
    this.flush();
    fsyncSync(this.fd);
    this.close();
  }

  close(): void {
    if (!this.closed) closeSync(this.fd);
    this.closed = true;
  }
}
