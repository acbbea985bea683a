/**
 * The copier (src/engine/copy/copy.ts) with real rsync: a directory whose every entry is new goes to
 * rsync whole (-d `dir/`, whole-dirs.ts); what rsync brings along that the scan never saw is
 * taken out again, so the snapshot holds exactly the plan and each copied file's hash.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyAndHash } from '../../src/engine/copy/copy.js';
import { createHashPool } from '../../src/engine/hash/pool.js';
import { DirCounts } from '../../src/engine/copy/whole-dirs.js';
import type { IndexEntry } from '../../src/repository/manifest-format.js';

const dir = mkdtempSync(join(tmpdir(), 'engine-copy-'));
const pool = createHashPool({ threads: 2 });
afterAll(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

async function copy(name: string, plan: string[], counts: DirCounts): Promise<{ src: string; dest: string; got: IndexEntry[]; vanished: number; batches: number }> {
  const src = join(dir, name, 'src');
  const dest = join(dir, name, 'dest');
  mkdirSync(dest, { recursive: true });
  const got: IndexEntry[] = [];
  const r = await copyAndHash(
    { srcRoot: src, dest, name: 'mail', scratchFile: join(dir, name, 'list'), pool, dirs: counts },
    plan.map((path) => ({ path, size: 1 })),
    (e) => got.push(e),
  );
  return { src, dest, got, vanished: r.vanished, batches: r.batches };
}

function tree(name: string, files: string[]): void {
  for (const f of files) {
    mkdirSync(join(dir, name, 'src', f, '..'), { recursive: true });
    writeFileSync(join(dir, name, 'src', f), `body of ${f}\n`);
  }
}

describe('copyAndHash with whole directories', () => {
  it('copies the planned files, hashes each, and takes out what appeared after the scan', async () => {
    const planned = Array.from({ length: 8 }, (_, i) => `u/cur/${i}.M1P1.host:2,S`);
    tree('late', [...planned, 'u/cur/9.late:2,', 'u/dovecot-uidlist']);
    mkdirSync(join(dir, 'late', 'src', 'u', 'cur', 'newdir'));
    const counts = new DirCounts();
    counts.dir('u');
    counts.dir('u/cur');
    for (const p of [...planned, 'u/dovecot-uidlist']) counts.entry(p);
    // the scan met 8 files in u/cur; 9.late and newdir came after it
    const { src, dest, got, vanished } = await copy('late', [...planned, 'u/dovecot-uidlist'], counts);
    expect(vanished).toBe(0);
    expect(got.map((e) => e.path)).toEqual([...planned, 'u/dovecot-uidlist'].map((p) => `mail/${p}`));
    for (const e of got) expect(e.sha256, e.path).toBe(sha(join(src, e.path.slice('mail/'.length))));
    expect(readdirSync(join(dest, 'u', 'cur')).sort()).toEqual(planned.map((p) => p.slice('u/cur/'.length)).sort());
  });

  it('counts a planned file gone before rsync came as vanished', async () => {
    const planned = Array.from({ length: 6 }, (_, i) => `v/new/${i}.M2P2.host`);
    tree('gone', planned);
    const counts = new DirCounts();
    counts.dir('v');
    counts.dir('v/new');
    for (const p of planned) counts.entry(p);
    rmSync(join(dir, 'gone', 'src', planned[2]));
    const { dest, got, vanished } = await copy('gone', planned, counts);
    expect(vanished).toBe(1);
    expect(got.map((e) => e.path)).toEqual(planned.filter((_, i) => i !== 2).map((p) => `mail/${p}`));
    expect(readdirSync(join(dest, 'v', 'new')).length).toBe(5);
  });
});

describe('copyAndHash over several batches', () => {
  it('emits every file of 45,000 once, in plan order, each with its own hash, in 7 batches cut between directories', async () => {
    const planned: string[] = [];
    const counts = new DirCounts();
    for (let d = 0; d < 45; d++) {
      const folder = `u${String(d).padStart(2, '0')}/cur`;
      counts.dir(folder.split('/')[0]);
      counts.dir(folder);
      for (let i = 0; i < 1000; i++) {
        const p = `${folder}/${String(i).padStart(4, '0')}.M${d}P${i}.host:2,S`;
        planned.push(p);
        counts.entry(p);
      }
    }
    tree('batches', planned);
    const { src, got, batches, vanished } = await copy('batches', planned, counts);
    expect({ batches, vanished }).toEqual({ batches: 7, vanished: 0 });
    expect(got.map((e) => e.path)).toEqual(planned.map((p) => `mail/${p}`));
    for (const i of [0, 6_999, 7_000, 7_999, 13_999, 14_000, 20_999, 21_000, 44_999]) expect(got[i].sha256, got[i].path).toBe(sha(join(src, planned[i])));
    expect(new Set(got.map((e) => e.sha256)).size).toBe(45_000); // every body differs: no hash given to the wrong file
  }, 120_000);
});

describe('copyAndHash of a short list', () => {
  it('splits a day\'s copies between the two rsyncs, and leaves a tiny list whole', async () => {
    const planned: string[] = [];
    const counts = new DirCounts();
    for (let d = 0; d < 20; d++) {
      counts.dir(`s${String(d).padStart(2, '0')}`);
      for (let i = 0; i < 60; i++) planned.push(`s${String(d).padStart(2, '0')}/${i}.M${d}P${i}.host`);
    }
    for (const p of planned) counts.entry(p);
    tree('short', planned);
    const run = async (name: string, list: string[]) => {
      const dest = join(dir, 'short', name);
      mkdirSync(dest);
      const got: IndexEntry[] = [];
      const r = await copyAndHash(
        { srcRoot: join(dir, 'short', 'src'), dest, name: 'mail', scratchFile: join(dir, 'short', `${name}.list`), pool, dirs: counts, streams: 2, expectedFiles: list.length },
        list.map((path) => ({ path, size: 1 })),
        (e) => got.push(e),
      );
      expect(got.map((e) => e.path)).toEqual(list.map((p) => `mail/${p}`));
      return r.batches;
    };
    expect(await run('day', planned)).toBe(2); // 1,200 files: 600 each, cut between directories
    expect(await run('tiny', planned.slice(0, 300))).toBe(1);
  });
});

describe('copyAndHash with two rsyncs at once', () => {
  it('overlaps two batches, never three, and fails only after every rsync it started has ended', async () => {
    const planned: string[] = [];
    const counts = new DirCounts();
    for (let d = 0; d < 24; d++) {
      const folder = `w${String(d).padStart(2, '0')}/cur`;
      counts.dir(folder.split('/')[0]);
      counts.dir(folder);
      for (let i = 0; i < 1000; i++) {
        const p = `${folder}/${String(i).padStart(4, '0')}.M${d}P${i}.host:2,S`;
        planned.push(p);
        counts.entry(p);
      }
    }
    tree('streams', planned);
    // an rsync that logs when it runs and fails for the second batch's list; the first batch
    // copies only once the second has failed, so two overlap and the failure meets a running rsync
    const bin = join(dir, 'streams', 'bin');
    const log = join(dir, 'streams', 'rsync.log');
    const failed = join(dir, 'streams', 'second-batch-failed');
    mkdirSync(bin);
    writeFileSync(join(bin, 'rsync'), [
      '#!/bin/sh',
      `echo start >> ${log}`,
      `case "$*" in *list.0*) i=0; while [ ! -e ${failed} ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done;; esac`,
      `case "$*" in *list.1*) echo "rsync: simulated I/O error" >&2; echo end >> ${log}; touch ${failed}; exit 11;; esac`,
      '/usr/bin/rsync "$@"; rc=$?',
      `echo end >> ${log}`,
      'exit $rc',
    ].join('\n'), { mode: 0o755 });
    const oldPath = process.env.PATH;
    process.env.PATH = `${bin}:${oldPath}`;
    const dest = join(dir, 'streams', 'dest');
    mkdirSync(dest);
    const got: IndexEntry[] = [];
    try {
      await expect(copyAndHash(
        { srcRoot: join(dir, 'streams', 'src'), dest, name: 'mail', scratchFile: join(dir, 'streams', 'list'), pool, dirs: counts, streams: 2 },
        planned.map((path) => ({ path, size: 1 })),
        (e) => got.push(e),
      )).rejects.toThrow(/rsync of mail .* failed with exit 11/);
    } finally {
      process.env.PATH = oldPath;
    }
    const events = readFileSync(log, 'utf8').trim().split('\n');
    let running = 0;
    let most = 0;
    for (const ev of events) {
      running += ev === 'start' ? 1 : -1;
      most = Math.max(most, running);
    }
    expect({ most, running }).toEqual({ most: 2, running: 0 });
    // what was emitted is a prefix of the plan: the batches before the failed one, in order
    expect(got.map((e) => e.path)).toEqual(planned.slice(0, got.length).map((p) => `mail/${p}`));
    expect(readdirSync(join(dir, 'streams')).filter((n) => n.startsWith('list'))).toEqual([]);
  }, 60_000);
});

describe('copyAndHash with hardlinks in the source', () => {
  async function linkedTree(name: string, dropFirst: boolean) {
    const planned: string[] = [];
    const counts = new DirCounts();
    for (let d = 0; d < 8; d++) {
      const folder = `h${d}/cur`;
      counts.dir(`h${d}`);
      counts.dir(folder);
      for (let i = 0; i < 1000; i++) planned.push(`${folder}/${String(i).padStart(4, '0')}.M${d}P${i}.host:2,S`);
    }
    tree(name, planned);
    const src = join(dir, name, 'src');
    // Dovecot copied the first message of h0 into h7 as a hardlink: h7 lands in the second batch
    const first = planned[0];
    const second = 'h7/cur/9999.M0P0.host:2,S';
    linkSync(join(src, first), join(src, second));
    planned.push(second);
    planned.sort();
    for (const p of planned) counts.entry(p);
    const list = planned.map((path) => {
      const st = lstatSync(join(src, path));
      return { path, size: st.size, ino: st.ino, nlink: st.nlink };
    });
    if (dropFirst) rmSync(join(src, first)); // gone before rsync came
    const dest = join(dir, name, 'dest');
    mkdirSync(dest);
    const inOrder: IndexEntry[] = [];
    const late: IndexEntry[] = [];
    const r = await copyAndHash({ srcRoot: src, dest, name: 'mail', scratchFile: join(dir, name, 'list'), pool, dirs: counts, streams: 2 }, list, (e, ordered) => (ordered ? inOrder : late).push(e));
    return { src, dest, first, second, planned, inOrder, late, r };
  }

  it('links a second name of a source inode to the first one\'s copy across batches', async () => {
    const { src, dest, first, second, planned, inOrder, late, r } = await linkedTree('hardlinks', false);
    expect(r.batches).toBe(2);
    expect(lstatSync(join(dest, second)).ino).toBe(lstatSync(join(dest, first)).ino);
    expect(lstatSync(join(dest, first)).nlink).toBe(2);
    expect(inOrder.map((e) => e.path)).toEqual(planned.filter((p) => p !== second).map((p) => `mail/${p}`));
    expect(late.map((e) => [e.path, e.sha256, e.ino])).toEqual([[`mail/${second}`, sha(join(src, first)), lstatSync(join(dest, first)).ino]]);
    expect(r.files).toBe(planned.length);
  });

  it('copies the second name itself when the first vanished before rsync came', async () => {
    const { src, dest, first, second, inOrder, late, r } = await linkedTree('hardlinks-gone', true);
    expect(existsSync(join(dest, first))).toBe(false);
    expect(r.vanished).toBe(1);
    expect(inOrder.some((e) => e.path === `mail/${first}`)).toBe(false);
    expect(late.map((e) => [e.path, e.sha256])).toEqual([[`mail/${second}`, sha(join(src, second))]]);
    expect(lstatSync(join(dest, second)).nlink).toBe(1);
  });
});
