/**
 * `restore mail --in-place --mode replace`: save the live entries under safety/, stage the
 * snapshot's copies beside them on the same filesystem, then swap by rename so the live
 * mailbox is never half old, half restored for longer than two renames.
 */
import { existsSync, promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { copyTree } from '../tools/rsync-restore.js';
import { applyAttributes } from './copy.js';

export interface ReplaceTarget {
  snapMailbox: string;
  liveMailbox: string;
  /** where the live entries are saved (inside safety/<stamp>/) */
  safetyMailbox: string;
  stamp: string;
  log: Logger;
  signal?: AbortSignal;
}

export interface ReplaceResult {
  saved: { live: string; copy: string }[];
  replaced: string[];
}

/** Copies a file or a directory tree to `dst`, keeping attributes. */
async function copyEntry(src: string, dst: string, live: boolean, signal?: AbortSignal): Promise<void> {
  const st = await fs.lstat(src);
  await fs.mkdir(dirname(dst), { recursive: true });
  if (st.isDirectory()) {
    await copyTree(src, dst, { liveSource: live, signal });
    return;
  }
  await copyTree(dirname(src), dirname(dst), { paths: [basename(src)], liveSource: live, signal });
  if (basename(src) !== basename(dst)) {
    await fs.rename(join(dirname(dst), basename(src)), dst);
    await applyAttributes(dst, st);
  }
}

export async function replaceMailEntries(entries: string[], t: ReplaceTarget): Promise<ReplaceResult> {
  const res: ReplaceResult = { saved: [], replaced: [] };
  // 1. save everything that will be replaced, before touching any of it
  for (const e of entries) {
    const live = join(t.liveMailbox, e);
    if (!existsSync(live)) continue;
    const copy = join(t.safetyMailbox, e);
    await copyEntry(live, copy, true, t.signal);
    res.saved.push({ live, copy });
  }
  t.log.info({ saved: res.saved.length }, `${res.saved.length} live mail entries saved to safety/`);
  // 2. stage the snapshot's versions next to the live ones (same filesystem → rename works)
  const staged: { live: string; stage?: string }[] = [];
  for (const e of entries) {
    const live = join(t.liveMailbox, e);
    const snap = join(t.snapMailbox, e);
    const stage = join(dirname(live), `mailbackup-stage-${t.stamp}-${basename(live).replace(/^\./, '')}`);
    if (existsSync(snap)) {
      await copyEntry(snap, stage, false, t.signal);
      staged.push({ live, stage });
    } else {
      staged.push({ live });
    }
  }
  // 3. swap; the old live entry is removed only after its replacement is in place
  for (const { live, stage } of staged) {
    const old = join(dirname(live), `mailbackup-old-${t.stamp}-${basename(live).replace(/^\./, '')}`);
    const hadLive = existsSync(live);
    if (hadLive) await fs.rename(live, old);
    if (stage) await fs.rename(stage, live);
    if (hadLive) await fs.rm(old, { recursive: true, force: true });
    res.replaced.push(live);
  }
  t.log.info({ replaced: res.replaced.length }, `${res.replaced.length} mail entries replaced from the snapshot`);
  return res;
}
