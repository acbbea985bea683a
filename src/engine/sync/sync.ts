/**
 * syncComponent (docs/architecture.md): one scan of the source, merge-joined with the previous
 * snapshot's manifest.index; unchanged files become hardlinks to the previous snapshot's inodes
 * as the scan meets them, renamed messages link from their old name, and only new or changed
 * files go to rsync (copy.ts), each batch hashed once rsync is done with it. Neither snapshot is walked: what the new one
 * holds is known from the plan, and handed to writeManifest as a ComponentPart.
 *
 * Why not `cp -al` + rsync, or `rsync --link-dest`: both walk the previous snapshot and the
 * source in full again, and on a USB disk every walk of a 1 M-file tree costs minutes.
 */
import { existsSync, lstatSync, mkdirSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { prevStartedAt, resolveSource } from '../scan/source.js';
import type { ComponentSpec, ComponentSyncResult, SyncOptions } from '../types.js';
import { scanSource, type ScanEntry } from '../scan/scan.js';
import { LinkPlanner, resolveDeferred, type Decision } from '../link/link-plan.js';
import { LeafDirs } from '../link/leaf-dirs.js';
import { compareBytes, sharedIndexLine, type IndexEntry } from '../../repository/manifest-format.js';
import { compileExcludes } from '../scan/exclude-match.js';
import { copyAndHash, hashIfPresent, mergeCopies, toIndexEntry } from '../copy/copy.js';
import { ComponentPartWriter, DEFAULT_SCRATCH } from '../manifest/component-part.js';
import { PrevIndexReader } from '../manifest/prev-index.js';
import { layout } from '../../repository/layout.js';
import { createHashPool } from '../hash/pool.js';
import { copyRootAttributes, flushDirectory, linkedEntry, linkOrCopy, mkdirFresh, reuseFromResume, setDirectoryAttributes } from '../link/apply.js';
import { createFsPool, type LinkedInode } from '../scan/fs-pool.js';
import { LinkQueue } from '../link/link-queue.js';
import { completeMaildirs, type SeenDir } from '../complete/complete.js';
import { InterruptedError } from '../../errors.js';
import { ownString } from '../../util/own-string.js';
import { DirCounts } from '../copy/whole-dirs.js';
import type { RsyncItem } from '../../tools/rsync.js';

export async function syncComponent(spec: ComponentSpec, opts: SyncOptions): Promise<ComponentSyncResult> {
  const t0 = Date.now();
  const { partialDir, log, signal } = opts;
  const { srcRoot, entries } = resolveSource(spec);
  const dest = join(partialDir, spec.name);
  const resume = join(partialDir, `.${spec.name}.resume.tmp`);
  mkdirFresh(partialDir, 0o700); // one level: a missing parent means the disk went away
  // An interrupted run (or a retry) left this component half-built: its files with nlink 1 are
  // ones rsync wrote, reused by name (copy.ts hashes them); the rest is rebuilt from the plan.
  const resuming = existsSync(dest);
  rmSync(resume, { recursive: true, force: true });
  if (resuming) renameSync(dest, resume);
  const scratchDir = opts.scratchDir ?? join(partialDir, DEFAULT_SCRATCH);
  mkdirSync(scratchDir, { recursive: true, mode: 0o700 });
  const pool = opts.pool ?? createHashPool();
  const fsPool = opts.fsPool ?? createFsPool();
  const part = new ComponentPartWriter(scratchDir, spec.name);
  const result: ComponentSyncResult = {
    files: 0, bytes: 0, addedFiles: 0, addedBytes: 0, linkedRenames: 0, vanished: 0, recovered: 0, warnings: [], durationMs: 0, part: part.part,
  };
  let prevIt: PrevIndexReader | undefined;
  try {
    mkdirFresh(dest, 0o700);
    const prevComponent = opts.prevDir ? join(opts.prevDir, spec.name) : undefined;
    prevIt = prevComponent && existsSync(prevComponent) ? new PrevIndexReader(layout.manifestIndex(opts.prevDir!), spec.name, log) : undefined;
    const planner = new LinkPlanner(prevIt, { maildir: !!spec.maildir, compare: compareBytes, changedSince: prevIt && prevStartedAt(opts.prevDir!) });
    const deferred: ScanEntry[] = [];
    const specials: string[] = [];
    const counted = (e: IndexEntry, isNew: boolean) => {
      result.files++;
      result.bytes += e.size;
      if (isNew) {
        result.addedFiles++;
        result.addedBytes += e.size;
      }
      opts.progress?.add(1, e.size);
    };
    const linked = (e: ScanEntry, prev: IndexEntry, from: string, fromNew: boolean): IndexEntry | undefined => {
      const entry = linkOrCopy(fromNew ? join(dest, from) : join(prevComponent!, from), join(dest, e.path), e, prev, spec.name);
      if (entry) counted(entry, false);
      return entry;
    };
    const toCopy = (e: ScanEntry) => {
      if (resuming) reuseFromResume(resume, dest, e); // a failed lstat per file costs seconds at 100k
      part.toCopy(e);
    };

    // 1. scan: link the unchanged as met (on the link workers), list the copies, keep the undecided
    const linkFailed: ScanEntry[] = [];
    const links = new LinkQueue<{ e: ScanEntry; prev: IndexEntry }>(fsPool, { fromBase: `${prevComponent}/`, toBase: `${dest}/` }, ({ e, prev }, inode: LinkedInode | undefined) => {
      const entry = inode && linkedEntry(e, prev, inode, spec.name);
      if (entry) {
        counted(entry, false);
        // the same inode at the same name: the previous index line stands, marked as shared
        const shared = entry.ino === prev.ino && prev.line !== undefined ? sharedIndexLine(prev.line) : undefined;
        if (shared !== undefined) part.linkedLine(shared);
        else part.linked(entry);
        return;
      }
      if (inode) unlinkSync(join(dest, e.path)); // not the inode the index describes
      e.path = ownString(e.path);
      linkFailed.push(e);
    });
    // a live mail store: each directory's mtime as the scan read it (complete.ts)
    const seenDirs = spec.maildir ? new Map<string, SeenDir>() : undefined;
    if (seenDirs && !entries) seenDirs.set('', { mtimeMs: lstatSync(srcRoot).mtimeMs, at: Date.now() });
    const dirCounts = entries ? undefined : new DirCounts();
    let scanned = 0;
    const seen = { files: 0, bytes: 0 }; // what the snapshot will hold: the progress line's totals
    const route = (d: Decision) => {
      if (d.op === 'copy') toCopy(d.e);
      else if (d.op === 'defer') {
        d.e.path = ownString(d.e.path); // kept past this batch
        deferred.push(d.e);
      } else if (d.op === 'special') specials.push(d.e.path);
    };
    // directories that hold no directory are listed and linked whole on the fs workers (dir-link.ts)
    const leaves = prevIt && new LeafDirs({
      component: spec.name, srcRoot, prevComponent: prevComponent!, dest, planner, links,
      effects: {
        listed: (dir, n) => {
          scanned += n.entries;
          seen.files += n.files;
          seen.bytes += n.bytes;
          result.vanished += n.vanished;
          dirCounts?.entries(dir, n.entries);
        },
        linked: (text, files, bytes) => {
          part.linkedText(text);
          result.files += files;
          result.bytes += bytes;
          opts.progress?.add(files, bytes);
        },
        decided: route,
        failed: (e) => linkFailed.push(e),
      },
    });
    const scan = scanSource(srcRoot, { pool: fsPool, entries, exclude: compileExcludes(spec.exclude), leafDirs: !!leaves, signal, onGone: () => result.vanished++ });
    for await (const batch of scan) {
      if (batch.leafOf !== undefined) {
        const wait = leaves!.add(batch.leafOf);
        if (wait) await wait;
        continue;
      }
      const decided: Decision[] = []; // copies and waits, kept in order with the leaf directories' (link-queue.ts)
      for (const e of batch) {
        scanned++;
        if (e.kind === 'file') {
          seen.files++;
          seen.bytes += e.size;
        }
        if (e.kind === 'dir') dirCounts?.dir(e.path);
        else dirCounts?.entry(e.path);
        const d = planner.decide(e);
        if (d.op === 'mkdir') {
          e.path = ownString(e.path); // kept past this batch
          if (seenDirs) seenDirs.set(e.path, { mtimeMs: e.mtimeMs, at: e.listedAt ?? 0 });
          mkdirFresh(join(dest, e.path), 0o700);
          specials.push(e.path);
        } else if (d.op === 'special') specials.push((e.path = ownString(e.path)));
        else if (d.op === 'link') {
          const wait = links.add(d.from, e.path, { e, prev: d.prev });
          if (wait) await wait;
        } else decided.push(d);
      }
      if (decided.length > 0) links.later(() => decided.forEach(route));
    }
    await links.drain();
    planner.finish();
    const flushed = flushDirectory(dest); // awaited in the last step (finish, below)
    flushed.catch(() => {});
    opts.progress?.setTotals?.(seen);
    const tScan = Date.now();

    // 2. the undecided: renamed messages and second names of an inode link; the rest is copied
    const resolution = resolveDeferred(deferred, planner, !!spec.maildir);
    const lateCopies: ScanEntry[] = [...resolution.copies, ...linkFailed];
    for (const l of resolution.links) {
      const entry = linked(l.e, l.prev, l.fromNew ?? l.from!, l.fromNew !== undefined);
      if (entry) {
        part.extra(entry);
        if (l.from !== undefined) result.linkedRenames++;
      } else lateCopies.push(l.e);
    }
    if (resuming) for (const e of lateCopies) reuseFromResume(resume, dest, e);
    lateCopies.sort((a, b) => compareBytes(a.path, b.path));
    const tLink = Date.now();

    // 3. rsync the copies (each batch hashed after its rsync)
    const onItem = (item: RsyncItem) => {
      if (item.code[0] === '>' && item.code[1] === 'f') opts.progress?.add(1, item.size);
    };
    const copyIn = { srcRoot, dest, name: spec.name, exclude: spec.exclude, scratchFile: part.scratch('rsync-list'), pool, signal, onItem, dirs: dirCounts };
    const copied = await copyAndHash({ ...copyIn, expectedFiles: part.copyCount + lateCopies.length }, mergeCopies(part.copies(), lateCopies), (entry, inOrder) => {
      if (inOrder) part.copied(entry);
      else part.extra(entry);
      result.files++;
      result.bytes += entry.size;
      result.addedFiles++;
      result.addedBytes += entry.size;
    });
    result.vanished += copied.vanished;
    const tCopy = Date.now();

    // 4. a live mail store: what rsync missed while Dovecot moved it, and duplicates it made
    if (spec.maildir) {
      const received: string[] = [];
      const c = await completeMaildirs({
        srcRoot, cloneRoot: dest, entries, exclude: spec.exclude, since: t0, seen: seenDirs, scratchFile: part.scratch('missed'), log, signal,
        onItem: (item) => {
          if (item.code[0] === '>' && item.code[1] === 'f') received.push(item.name);
        },
        onRemove: (p) => part.removed(p),
      });
      for (const p of received) {
        const h = await hashIfPresent(pool, join(dest, p));
        if (!h) continue;
        const entry = toIndexEntry(`${spec.name}/${p}`, h, true);
        part.extra(entry);
        counted(entry, true);
      }
      result.recovered = c.copied;
      result.vanished += c.vanished;
      log.debug({ component: spec.name, ...c }, 'completeness check done');
    }
    if (signal?.aborted) throw new InterruptedError();
    // 5. last, when nothing more is written into them: the directories' attributes (their mtimes
    // moved with every link and copy) and the symlinks, by one rsync over their names
    const attributes = async () => {
      await setDirectoryAttributes({ ...copyIn, scratchFile: part.scratch('attributes') }, specials);
      if (!entries) copyRootAttributes(srcRoot, dest);
    };
    // the flush too: a first full copy's journal commit (100k new inodes: 0.4 s) waited on by the
    // next component otherwise; its error is still this component's (apply.ts says why)
    const finish = async () => {
      await attributes();
      await flushed;
    };
    if (opts.deferAttributes) result.finishAttributes = finish;
    else await finish();
    part.finish();
    log.debug({
      component: spec.name, scanned, deferred: deferred.length, linkedRenames: result.linkedRenames, copied: copied.files, batches: copied.batches,
      scanMs: tScan - t0, resolveMs: tLink - tScan, copyMs: tCopy - tLink, completeMs: Date.now() - tCopy,
    }, 'engine phases');
  } catch (err) {
    part.discard();
    throw err;
  } finally {
    prevIt?.close();
    rmSync(resume, { recursive: true, force: true });
    if (!opts.fsPool) await fsPool.close();
    if (!opts.pool) await pool.close();
  }
  if (result.vanished > 0 || result.recovered > 0) {
    // names come and go all day on a live mail store: counted, never a warning on their own
    log.info({ component: spec.name, vanished: result.vanished, recovered: result.recovered },
      `${spec.name}: ${result.vanished} names vanished while they were copied (renamed or expunged meanwhile)` +
        (result.recovered ? `; ${result.recovered} messages seen under their new names were copied afterwards` : ''));
  }
  result.durationMs = Date.now() - t0;
  return result;
}
