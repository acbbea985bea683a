/**
 * A leaf directory listed and linked whole (src/engine/link/dir-link.ts), on real files: once called
 * directly, once in an fs worker from its source text (fs-pool.ts), which must give the same.
 * What it links must be exactly what LinkPlanner.decide would link; everything else goes back.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BACK_STRIDE, DIR_LINK, DIR_LINK_HELPERS, linkDirectory, type DirLinkJob, type DirLinkResult } from '../../src/engine/link/dir-link.js';
import { createFsPool } from '../../src/engine/scan/fs-pool.js';
import { formatIndexLine, parseIndexLine } from '../../src/repository/manifest-format.js';

const dir = mkdtempSync(join(tmpdir(), 'engine-dir-link-'));
const pool = createFsPool({ threads: 2 });
afterAll(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

const T = new Date('2026-01-01T00:00:00Z');

/** A previous snapshot's cur/ with its index lines, and the source's cur/ after a day. */
function world(name: string): { job: DirLinkJob; to: string } {
  const src = join(dir, name, 'src', 'u', 'cur');
  const prev = join(dir, name, 'prev', 'mail', 'u', 'cur');
  const to = join(dir, name, 'new', 'mail', 'u', 'cur');
  for (const d of [src, prev, to]) mkdirSync(d, { recursive: true });
  const put = (root: string, f: string, body: string) => {
    writeFileSync(join(root, f), body);
    utimesSync(join(root, f), T, T);
  };
  // a: unchanged; b: changed in the source; c: only in the previous (gone); d: new;
  // e: unchanged but tampered with in the previous snapshot (mode); h1/h2: one inode, two names
  for (const f of ['a', 'b', 'c', 'e', 'h1']) put(prev, f, `old ${f}`);
  for (const f of ['a', 'e', 'h1']) put(src, f, `old ${f}`);
  put(src, 'b', 'new b, longer');
  put(src, 'd', 'new d');
  linkSync(join(src, 'h1'), join(src, 'h2'));
  symlinkSync('a', join(src, 'l'));
  const lines = ['a', 'b', 'c', 'e', 'h1'].map((f) => {
    const st = lstatSync(join(prev, f));
    return formatIndexLine({ path: `mail/u/cur/${f}`, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, mode: st.mode, uid: st.uid, gid: st.gid, sha256: f.repeat(64).slice(0, 64).replace(/[^0-9a-f]/g, '0'), isNew: true }).slice(0, -1);
  });
  chmodSync(join(prev, 'e'), 0o600); // after the index was written: the old snapshot changed
  const job: DirLinkJob = {
    srcBase: `${src}/`, fromBase: `${prev}/`, toBase: `${to}/`, prev: lines.join('\n'),
    pathPrefix: 'mail/u/cur/', escapedPrefixLength: 'mail/u/cur/'.length,
  };
  return { job, to };
}

function back(r: DirLinkResult): Record<string, number> {
  const names = r.backNames ? r.backNames.split('\0') : [];
  return Object.fromEntries(names.map((n, i) => [n, r.back[i * BACK_STRIDE + BACK_STRIDE - 1]]));
}

describe('linkDirectory', () => {
  it.each([
    ['on this thread', (job: DirLinkJob) => Promise.resolve(linkDirectory(job, fs, DIR_LINK_HELPERS))],
    ['in an fs worker, from its source text', (job: DirLinkJob) => pool.linkDir(job)],
  ])('links only the unchanged, checks what it linked, and hands back the rest (%s)', async (_how, run) => {
    const { job, to } = world(_how.startsWith('on') ? 'direct' : 'worker');
    const r = await run(job);
    expect(r.dirGone).toBe(false);
    expect(readdirSync(to).sort()).toEqual(['a', 'h1']); // e was unlinked again: its inode is not what the index says
    // linked: a (its index line kept, marked shared) and h1 (handed back too: it has two names)
    const out = r.out.split('\n').filter(Boolean).map(parseIndexLine);
    expect(out.map((e) => [e.path, e.isNew])).toEqual([['mail/u/cur/a', false], ['mail/u/cur/h1', false]]);
    expect(out[0].ino).toBe(lstatSync(join(to, 'a')).ino);
    expect([r.linkedFiles, r.linkedBytes]).toEqual([2, 'old a'.length + 'old h1'.length]);
    expect(back(r)).toEqual({ b: DIR_LINK.UNDECIDED, d: DIR_LINK.UNDECIDED, e: DIR_LINK.FAILED, h1: DIR_LINK.LINKED, h2: DIR_LINK.UNDECIDED, l: DIR_LINK.UNDECIDED });
    const lines = job.prev.split('\n');
    expect([...r.gone].map((g) => parseIndexLine(lines[g]).path)).toEqual(['mail/u/cur/c']);
    expect([r.entries, r.files, r.vanished]).toEqual([7, 6, 0]);
  });

  it('links nothing whose inode changed after the previous run started (ctime)', async () => {
    const { job, to } = world('ctime');
    const r = await pool.linkDir({ ...job, changedSince: 0 });
    expect(readdirSync(to)).toEqual([]);
    expect(r.linkedFiles).toBe(0);
  });

  it('reports a directory that is gone, and all its previous lines as gone', async () => {
    const { job } = world('gone');
    rmSync(job.srcBase, { recursive: true });
    const r = await pool.linkDir(job);
    expect(r.dirGone).toBe(true);
    expect(r.gone.length).toBe(5);
  });
});

describe('the fs pool', () => {
  it('serves a listing the scan waits for before the link jobs queued ahead of it', async () => {
    const one = createFsPool({ threads: 1 });
    try {
      const jobs = Array.from({ length: 12 }, (_, i) => world(`queue${i}`).job);
      const order: string[] = [];
      const links = jobs.map((job, i) => one.linkDir(job).then(() => order.push(`link ${i}`)));
      const listing = one.list(dir).then(() => order.push('list'));
      await Promise.all([...links, listing]);
      // at most a few jobs are posted to a thread at once; the listing goes next, not last
      expect(order.indexOf('list')).toBeLessThan(jobs.length / 2);
    } finally {
      await one.close();
    }
  });
});
