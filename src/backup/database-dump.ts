/**
 * One database → mysql/<db>.sql.gz. The dump is gzipped in-process while it is hashed and its
 * rows are counted. It counts only if (invariant 8) the dump process exited 0, the
 * `-- Dump completed` trailer is there, and the gzip file reads back whole.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { MailbackupError, TransientError } from '../errors.js';
import type { DatabaseResult } from '../repository/metadata.js';
import { isTransientFailure } from '../tools/container.js';
import { spawnDump, type DbAccess } from '../tools/mariadb.js';
import { SqlRowCounter } from './sql-row-counter.js';

const TRAILER = /-- Dump completed( on [^\n]*)?\n?$/;

/** Passes bytes through, counting them and feeding a side consumer. */
function tap(onChunk: (b: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      onChunk(chunk);
      cb(null, chunk);
    },
  });
}

/** Reads the gzip file back whole; returns the uncompressed size and its last bytes. */
export async function readBackGzip(file: string): Promise<{ rawBytes: number; tail: string }> {
  let rawBytes = 0;
  let tail = Buffer.alloc(0);
  await pipeline(
    createReadStream(file),
    createGunzip(),
    tap((b) => {
      rawBytes += b.length;
      tail = Buffer.concat([tail, b]).subarray(-256);
    }),
    async function* (src) {
      for await (const _ of src) {
        /* drain */
      }
    },
  );
  return { rawBytes, tail: tail.toString('utf8') };
}

export function hasTrailer(tail: string): boolean {
  return TRAILER.test(tail);
}

export async function dumpDatabase(
  a: DbAccess,
  client: string,
  db: string,
  outFile: string,
  relFile: string,
  signal?: AbortSignal,
): Promise<DatabaseResult> {
  const started = Date.now();
  const child = spawnDump(a, client, db, signal);
  const counter = new SqlRowCounter();
  const hash = createHash('sha256');
  let rawBytes = 0;
  let bytes = 0;
  let tail = Buffer.alloc(0);
  const streamDone = pipeline(
    child.stdout!,
    tap((b) => {
      rawBytes += b.length;
      counter.push(b);
      tail = Buffer.concat([tail, b]).subarray(-256);
    }),
    createGzip({ level: 6 }),
    tap((b) => {
      bytes += b.length;
      hash.update(b);
    }),
    createWriteStream(outFile, { mode: 0o600 }),
  );
  const [result, streamed] = await Promise.all([child, streamDone.then(() => undefined, (e: Error) => e)]);
  const stderr = String(result.stderr ?? '').trim();
  if (result.exitCode !== 0 || result.signal) {
    const how = result.signal ? `was killed by ${result.signal}` : `exited ${result.exitCode}`;
    const msg = `${db} dump ${how}${stderr ? `: ${stderr.split('\n').slice(-3).join(' ')}` : ''}`;
    throw isTransientFailure(stderr) ? new TransientError(msg) : new MailbackupError(msg);
  }
  if (streamed) throw new MailbackupError(`${db} dump could not be written to ${outFile}: ${streamed.message}`);
  if (!hasTrailer(tail.toString('utf8'))) {
    throw new MailbackupError(`${db} dump has no "-- Dump completed" trailer: the dump stopped early`);
  }
  const back = await readBackGzip(outFile);
  if (back.rawBytes !== rawBytes || !hasTrailer(back.tail)) {
    throw new MailbackupError(`${db} dump ${outFile} does not read back whole (${back.rawBytes} of ${rawBytes} bytes)`);
  }
  return {
    file: relFile,
    bytes,
    rawBytes,
    sha256: hash.digest('hex'),
    tables: counter.tables,
    durationMs: Date.now() - started,
    status: 'ok',
  };
}
