/**
 * A dump counts only if its gzip stream reads back whole, ends with mariadb-dump's
 * `-- Dump completed` trailer, and matches the sha256 recorded in backup.json (invariant 8).
 * One read of the file does all three.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';

export interface DumpCheck {
  /** sha256 of the .gz file as stored, when it could be read */
  sha256?: string;
  problems: string[];
}

const TRAILER = '-- Dump completed';

export async function checkDump(file: string, recordedSha256?: string): Promise<DumpCheck> {
  const hash = createHash('sha256');
  const gunzip = createGunzip();
  let tail = Buffer.alloc(0);
  let gzipError: string | undefined;
  gunzip.on('data', (chunk: Buffer) => {
    tail = Buffer.concat([tail, chunk]).subarray(-256);
  });
  const finished = new Promise<void>((resolve) => {
    gunzip.on('end', resolve);
    gunzip.on('close', resolve);
    gunzip.on('error', (err) => {
      gzipError ??= err.message;
      resolve();
    });
  });
  try {
    for await (const chunk of createReadStream(file)) {
      hash.update(chunk as Buffer);
      if (gzipError) continue; // keep reading: the sha256 comparison still reports
      if (!gunzip.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            gunzip.off('drain', done);
            gunzip.off('error', done);
            resolve();
          };
          gunzip.on('drain', done);
          gunzip.on('error', done);
        });
      }
    }
  } catch (err) {
    gunzip.destroy();
    return { problems: [(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : `cannot read: ${(err as Error).message}`] };
  }
  if (!gzipError) gunzip.end();
  await finished;
  const sha256 = hash.digest('hex');
  const problems: string[] = [];
  if (gzipError) {
    problems.push(/unexpected end/i.test(gzipError) ? 'dump truncated (gzip data ends early)' : `gzip data bad: ${gzipError}`);
  } else if (!tail.toString('utf8').includes(TRAILER)) {
    problems.push(`"${TRAILER}" trailer missing (dump incomplete)`);
  }
  if (recordedSha256 && sha256 !== recordedSha256) problems.push('sha256 differs from backup.json');
  return { sha256, problems };
}
