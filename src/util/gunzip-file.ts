/**
 * A gzip file as a stream of its decompressed bytes. `createReadStream(f).pipe(createGunzip())`
 * would leave the file's own errors (ENOENT, EIO) unhandled: `pipe` does not forward them, and
 * an 'error' event nobody listens to kills the process. pipeline() destroys the gunzip stream
 * with that error instead, so whoever reads it sees the failure.
 */
import { createReadStream } from 'node:fs';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

export function gunzipFile(file: string): Readable {
  return pipeline(createReadStream(file), createGunzip(), () => {
    /* the error, if any, reaches the reader through the returned stream */
  });
}

/** A small gzip file's whole text (the accounts file: a few kilobytes). */
export async function gunzipText(file: string): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of gunzipFile(file)) parts.push(chunk as Buffer);
  return Buffer.concat(parts).toString('utf8');
}
