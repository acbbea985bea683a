/**
 * Appends text to a file through a 1 MB buffer of strings, joined once per flush: one write
 * call per megabyte instead of a Buffer.byteLength and a copy per line (the manifest writes three
 * pieces per file; at 100,000 files that per-call work was a quarter of its time).
 */
import { closeSync, fsync, openSync, writeSync } from 'node:fs';

const FLUSH_AT = 1 << 20;

export class Appender {
  private fd: number | undefined;
  private chunks: string[] = [];
  private size = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w', 0o600);
  }

  write(s: string): void {
    this.chunks.push(s);
    this.size += s.length;
    if (this.size >= FLUSH_AT) this.flush();
  }

  flush(): void {
    if (this.fd === undefined || this.chunks.length === 0) return;
    writeSync(this.fd, this.chunks.join(''));
    this.chunks = [];
    this.size = 0;
  }

  /** flushed and on disk (fsync on the thread pool: several files wait for their disk at once), then closed */
  async durable(): Promise<void> {
    this.flush();
    const fd = this.fd;
    if (fd === undefined) return;
    await new Promise<void>((resolve, reject) => fsync(fd, (err) => (err ? reject(err) : resolve())));
    this.close();
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
