/** The engine's rsync runs over name lists: the list written, the outcome judged, what rsync brought unasked taken out. */
import { join } from 'node:path';
import { closeSync, openSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { describeRsyncFailure, RSYNC_VANISHED, type RsyncItem, type RsyncOutcome } from '../../tools/rsync.js';
import { isMissing } from '../../mailbox/walk.js';
import { InterruptedError, ToolError } from '../../errors.js';

/** A NUL-separated list of names for rsync --files-from --from0. */
export function writeNulList(path: string, names: string[]): void {
  const fd = openSync(path, 'w', 0o600);
  try {
    writeSync(fd, names.join('\0') + '\0');
  } finally {
    closeSync(fd);
  }
}

/** rsync's outcome for one of the engine's lists: vanished names are normal, anything else fails the component. */
export function checkRsync(input: { srcRoot: string; dest: string; signal?: AbortSignal }, out: RsyncOutcome, what: string): void {
  if (input.signal?.aborted) throw new InterruptedError();
  if (out.exitCode === 0 || out.exitCode === RSYNC_VANISHED) return;
  throw new ToolError(
    `rsync of ${what} (${input.srcRoot} → ${input.dest}) failed with exit ${out.exitCode}: ${describeRsyncFailure(out)}; ` +
      'check that the source is readable and the backup disk has space, then run the backup again (the .partial is reused)',
    out.stderr,
  );
}

/** Not in the plan, so not in the manifest: out again (the completeness check copies what is real). */
export function removeExtras(dest: string, extras: RsyncItem[]): void {
  for (const item of extras) {
    const p = join(dest, item.name.replace(/\/$/, ''));
    try {
      if (item.code[1] === 'd') rmdirSync(p); // -d made it empty
      else unlinkSync(p);
    } catch (err) {
      if (!isMissing(err) && (err as NodeJS.ErrnoException).code !== 'ENOTEMPTY') throw err;
    }
  }
}
