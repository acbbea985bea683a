/**
 * One database → mysql/<db>.sql.gz. The dump is gzipped in-process while it is hashed and its
 * rows are counted. It counts only if the dump process exited 0 and both the stream and the
 * file read back pass the rules of repository/dump-format.ts (the same rules verify applies).
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { MailbackupError } from '../../errors.js';
import { DumpScanner, readDump } from '../../repository/dump-format.js';
import type { DatabaseResult } from '../../repository/metadata.js';
import { dumpFailure, spawnDump } from '../../tools/mariadb-dump.js';
import type { DbAccess } from '../../tools/mariadb.js';
import { SqlRowCounter } from './row-counter.js';

/** Passes bytes through, feeding a side consumer. */
function tap(onChunk: (b: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      onChunk(chunk);
      cb(null, chunk);
    },
  });
}

/**
 * The file as stored, against what was streamed into it: the rules hold, and it reads back
 * byte for byte. Exported so tests can hold verify to the very same judgement.
 */
export async function checkWrittenDump(file: string, streamed: { rawBytes: number; sha256: string }): Promise<string[]> {
  const back = await readDump(file);
  if (back.problems.length) return back.problems;
  if (back.scan.rawBytes !== streamed.rawBytes || back.sha256 !== streamed.sha256) {
    return [`does not read back whole (${back.scan.rawBytes} of ${streamed.rawBytes} bytes)`];
  }
  return [];
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
  const scan = new DumpScanner();
  let bytes = 0;
  const streamDone = pipeline(
    child.stdout,
    tap((b) => {
      scan.push(b);
      counter.push(b);
    }),
    createGzip({ level: 6 }),
    tap((b) => {
      bytes += b.length;
      hash.update(b);
    }),
    createWriteStream(outFile, { mode: 0o600 }),
  );
  const [result, streamed] = await Promise.all([child.exit, streamDone.then(() => undefined, (e: Error) => e)]);
  if (result.exitCode !== 0 || result.signal) throw await dumpFailure(a, db, result, started);
  if (streamed) throw new MailbackupError(`${db} dump could not be written to ${outFile}: ${streamed.message}`);
  const problems = scan.problems();
  if (scan.switchLine) problems.push(`contains "${scan.switchLine}": it would not load into one database only`);
  const sha256 = hash.digest('hex');
  if (!problems.length) problems.push(...(await checkWrittenDump(outFile, { rawBytes: scan.rawBytes, sha256 })));
  if (problems.length) throw new MailbackupError(`${db} dump: ${problems.join('; ')}`);
  return {
    file: relFile,
    bytes,
    rawBytes: scan.rawBytes,
    sha256,
    tables: counter.tables,
    durationMs: Date.now() - started,
    status: 'ok',
  };
}
