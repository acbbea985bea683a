/**
 * Carrying out a copy or merge MailPlan: folders first (cur/new/tmp, maildirfolder, subscribed),
 * then every message through tmp/ and link(), so a live file is never replaced or modified.
 */
import { existsSync, promises as fs, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { InterruptedError } from '../errors.js';
import { formatCount } from '../log/units.js';
import { applyDirAttributes, copyNoReplace, eachLimit, mkdirLike } from './copy.js';
import type { MailPlan } from './mail-plan.js';
import { folderName } from '../mailbox/maildir.js';
import { encodeMutf7 } from '../mailbox/mutf7.js';

export interface MailApplyResult {
  /** message files copied */
  copied: number;
  /** other files copied (dovecot-uidlist, dovecot-keywords, subscriptions): not messages */
  metadataFiles: number;
  /** appeared in the target between planning and copying: left as it was */
  alreadyThere: number;
  foldersCreated: string[];
}

export interface MailApplyTarget {
  /** the snapshot's copy of the mailbox */
  from: string;
  /** the mailbox written to (live, or a --to directory) */
  to: string;
  /** subscribe created folders (live merge); a --to copy brings its own subscriptions file */
  subscribe: boolean;
  /** a --to copy: the target directory takes the snapshot mailbox's mode and owner */
  ownTarget?: boolean;
  log: Logger;
  /** stop between messages (every copy is atomic, so stopping leaves no half message) */
  signal?: AbortSignal;
  /** told of every message copied (live progress) */
  progress?: { add(files: number, bytes?: number): void };
}

export async function applyMailPlan(plan: MailPlan, t: MailApplyTarget): Promise<MailApplyResult> {
  const rootLike = await fs.stat(t.ownTarget || !existsSync(t.to) ? t.from : t.to);
  await mkdirLike(t.to, rootLike);
  if (t.ownTarget) await applyDirAttributes(t.to, rootLike);
  const created: string[] = [];
  for (const dir of plan.createFolders) {
    if (await ensureFolder(t, dir, rootLike)) created.push(folderName(dir));
  }
  const res: MailApplyResult = { copied: 0, metadataFiles: 0, alreadyThere: 0, foldersCreated: created };
  await eachLimit(plan.copy, 8, async (op) => {
    if (t.signal?.aborted) throw new InterruptedError(`interrupted after ${res.copied} of ${plan.copy.length} messages; run the same command again to finish`);
    const dst = join(t.to, op.to);
    const sub = dirname(op.to);
    const tmpDir = /(^|\/)(cur|new)$/.test(sub) ? join(t.to, dirname(sub), 'tmp') : dirname(dst);
    await fs.mkdir(dirname(dst), { recursive: true });
    if (!(await copyNoReplace(resolve(t.from, op.from), dst, existsSync(tmpDir) ? tmpDir : dirname(dst)))) res.alreadyThere++;
    else if (isMessageOp(op.to)) res.copied++;
    else res.metadataFiles++;
    t.progress?.add(1);
  });
  const there = res.alreadyThere ? ` (${formatCount(res.alreadyThere)} were there already)` : '';
  const meta = res.metadataFiles ? ` (and ${formatCount(res.metadataFiles)} Dovecot metadata file${res.metadataFiles === 1 ? '' : 's'})` : '';
  t.log.info({ copied: res.copied, metadataFiles: res.metadataFiles, alreadyThere: res.alreadyThere, folders: created }, `${formatCount(res.copied)} messages restored${meta}${there}`);
  return res;
}

/** A message file is one in a folder's cur/ or new/; the rest (dovecot-uidlist, subscriptions …) is metadata. */
function isMessageOp(to: string): boolean {
  return /(^|\/)(cur|new)\/[^/]+$/.test(to);
}

/** Creates a Maildir++ folder like the snapshot's (or the mailbox root's) directory. True when new. */
async function ensureFolder(t: MailApplyTarget, dir: string, rootLike: Stats): Promise<boolean> {
  const path = join(t.to, dir);
  const existed = existsSync(join(path, 'cur'));
  const like = await fs.stat(join(t.from, dir)).catch(() => rootLike);
  await mkdirLike(path, like);
  for (const sub of ['cur', 'new', 'tmp']) await mkdirLike(join(path, sub), like);
  if (dir !== '') {
    const marker = join(path, 'maildirfolder');
    if (!existsSync(marker)) {
      await fs.writeFile(marker, '', { mode: 0o600 });
      await fs.chown(marker, like.uid, like.gid).catch(() => undefined);
    }
    if (t.subscribe) await subscribe(t.to, dir, rootLike);
  }
  return !existed;
}

/**
 * Adds a folder to the mailbox's subscriptions file in Dovecot 2.3's format
 * ("V\t2\n\n", then one name per line, hierarchy levels separated by tabs, modified UTF-7).
 */
async function subscribe(mailbox: string, dir: string, owner: Stats): Promise<void> {
  const file = join(mailbox, 'subscriptions');
  const levels = folderName(dir).split('/').map(encodeMutf7);
  let text = existsSync(file) ? await fs.readFile(file, 'utf8') : '';
  const v2 = text === '' || text.startsWith('V\t2\n');
  const line = v2 ? levels.join('\t') : levels.join('.');
  if (text.split('\n').includes(line)) return;
  if (text === '') text = 'V\t2\n\n';
  if (!text.endsWith('\n')) text += '\n';
  const tmp = `${file}.mailbackup-${process.pid}`;
  await fs.writeFile(tmp, text + line + '\n', { mode: 0o600 });
  await fs.chown(tmp, owner.uid, owner.gid).catch(() => undefined);
  await fs.rename(tmp, file);
}
