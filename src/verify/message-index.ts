/** messages.index against its messages.index.sha256 (both optional: older snapshots have neither). */
import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { MESSAGE_INDEX, messageIndexPath, messageIndexSumPath } from '../repository/message-index.js';

/** Problems found (empty when the index is whole or absent). Reads the index once. */
export function checkMessageIndex(snapDir: string): string[] {
  const file = messageIndexPath(snapDir);
  const sum = messageIndexSumPath(snapDir);
  if (!existsSync(file) && !existsSync(sum)) return [];
  if (!existsSync(sum)) return [`${MESSAGE_INDEX}.sha256 is missing: run \`mailbackup index --snapshot …\` to rebuild both`];
  if (!existsSync(file)) return [`missing although ${MESSAGE_INDEX}.sha256 exists: run \`mailbackup index --snapshot …\` to rebuild it`];
  const want = /^([0-9a-f]{64}) {2}messages\.index$/m.exec(readFileSync(sum, 'utf8'))?.[1];
  const got = createHash('sha256').update(readFileSync(file)).digest('hex');
  return want === got ? [] : ['changed (sha256 differs from messages.index.sha256): rebuild it with `mailbackup index --snapshot … --rebuild`'];
}
