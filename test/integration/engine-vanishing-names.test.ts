/**
 * Every step that takes a list of names copes with a name that is gone by the time it is used
 * (Dovecot renamed or expunged the message) and with one that appeared: the --files-from dry run,
 * the copy of a list, the completeness check, and the restore copier on a live mailbox.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { completeMaildirs, type SeenDir } from '../../src/engine/complete/complete.js';
import { rsyncMirror } from '../../src/tools/rsync.js';
import { copyTree } from '../../src/tools/rsync-restore.js';
import { silentLog } from './engine-helpers.js';

const work = mkdtempSync(join(tmpdir(), 'engine-vanishing-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function mailbox(root: string, names: Record<string, string>): string {
  const box = join(root, 'vmail', 'example.com', 'alice');
  for (const d of ['cur', 'new', 'tmp', '.Sent/cur', '.Sent/new', '.Sent/tmp']) mkdirSync(join(box, d), { recursive: true });
  for (const [rel, body] of Object.entries(names)) writeFileSync(join(box, rel), body);
  return box;
}

function nulList(file: string, names: string[]): string {
  writeFileSync(file, names.map((n) => n + '\0').join(''));
  return file;
}

describe('names that vanish or appear between listing and use', () => {
  it('a --files-from copy skips a listed name that is gone', async () => {
    const src = join(work, 'a-src');
    const dst = join(work, 'a-dst');
    mailbox(src, { 'cur/1.M1P1.h,S=2:2,S': 'a\n', 'cur/2.M2P2.h,S=2:2,': 'b\n' });
    mkdirSync(dst);
    const list = nulList(join(work, 'a-list'), ['vmail/example.com/alice/cur/1.M1P1.h,S=2:2,S', 'vmail/example.com/alice/cur/9.M9P9.h,S=2:2,S']);
    const out = await rsyncMirror({ srcRoot: src, dest: dst, filesFrom: list });
    expect(out.exitCode).toBe(0);
    expect(readdirSync(join(dst, 'vmail/example.com/alice/cur'))).toEqual(['1.M1P1.h,S=2:2,S']);
  });

  it('the completeness check copies a message renamed after rsync listed it, and drops a second name of one message', async () => {
    const src = join(work, 'b-src');
    const snap = join(work, 'b-snap');
    const since = Date.now();
    mailbox(src, { 'cur/1.M1P1.h,S=2:2,RS': 'a\n', 'cur/3.M3P3.h,S=2:2,': 'c\n', '.Sent/cur/4.M4P4.h,S=2:2,S': 'd\n' });
    // what rsync left: message 1 under no name (renamed new → cur while rsync read cur/ first),
    // message 3 twice (new/ and cur/), message 4 under its old flags, and 5, since expunged
    mailbox(snap, { 'new/3.M3P3.h,S=2': 'c\n', 'cur/3.M3P3.h,S=2:2,': 'c\n', '.Sent/cur/4.M4P4.h,S=2:2,': 'd\n', 'cur/5.M5P5.h,S=2:2,S': 'e\n' });
    const r = await completeMaildirs({ srcRoot: src, dest: snap, since, scratchFile: join(work, 'b-list'), log: silentLog });
    const box = join(snap, 'vmail/example.com/alice');
    expect(readdirSync(join(box, 'cur')).sort()).toEqual(['1.M1P1.h,S=2:2,RS', '3.M3P3.h,S=2:2,', '5.M5P5.h,S=2:2,S']);
    expect(readdirSync(join(box, 'new'))).toEqual([]);
    expect(readdirSync(join(box, '.Sent/cur'))).toEqual(['4.M4P4.h,S=2:2,']);
    expect(r).toMatchObject({ checked: 1, copied: 1, removed: 1 });
  });

  it('a mailbox quiet since the run started is not listed again', async () => {
    const src = join(work, 'c-src');
    const snap = join(work, 'c-snap');
    const box = mailbox(src, { 'cur/1.M1P1.h,S=2:2,S': 'a\n' });
    mailbox(snap, {});
    const old = new Date(Date.now() - 3600_000);
    for (const d of ['', 'cur', 'new', '.Sent/cur', '.Sent/new']) utimesSync(join(box, d), old, old);
    const r = await completeMaildirs({ srcRoot: src, dest: snap, since: Date.now(), scratchFile: join(work, 'c-list'), log: silentLog });
    expect(r.checked).toBe(0);
  });

  it('with the scan’s view (seen): only a mailbox whose folder changed since, or just before, its listing is listed again', async () => {
    const src = join(work, 'e-src');
    const snap = join(work, 'e-snap');
    const dirs = ['', 'cur', 'new', '.Sent/cur', '.Sent/new'];
    const boxes = ['quiet', 'moved', 'fresh'].map((u) => {
      const box = join(src, 'vmail', 'example.com', u);
      for (const d of ['cur', 'new', 'tmp', '.Sent/cur', '.Sent/new', '.Sent/tmp']) mkdirSync(join(box, d), { recursive: true });
      writeFileSync(join(box, 'cur', `1.M1P1.${u},S=2:2,S`), 'a\n'); // the scan missed it in every box
      for (const d of ['cur', 'new', 'tmp', '.Sent/cur', '.Sent/new', '.Sent/tmp']) mkdirSync(join(snap, 'vmail', 'example.com', u, d), { recursive: true });
      return box;
    });
    const old = new Date(Date.now() - 3600_000);
    for (const box of boxes) for (const d of dirs) utimesSync(join(box, d), old, old);
    const listedAt = Date.now();
    // fresh: the scan listed cur/ 10 ms after it last changed (a rename may still have been landing)
    utimesSync(join(boxes[2], 'cur'), new Date(listedAt - 10), new Date(listedAt - 10));
    const seen = new Map<string, SeenDir>();
    for (const [i, u] of ['quiet', 'moved', 'fresh'].entries()) {
      for (const d of dirs) seen.set(`vmail/example.com/${u}${d ? `/${d}` : ''}`, { mtimeMs: lstatSync(join(boxes[i], d)).mtimeMs, at: listedAt });
    }
    // moved: a message arrived in cur/ after the scan listed it
    utimesSync(join(boxes[1], 'cur'), new Date(), new Date());
    const r = await completeMaildirs({ srcRoot: src, dest: snap, since: listedAt - 60_000, seen, scratchFile: join(work, 'e-list'), log: silentLog });
    expect(r.checked).toBe(2);
    expect(readdirSync(join(snap, 'vmail/example.com/quiet/cur'))).toEqual([]);
    expect(readdirSync(join(snap, 'vmail/example.com/moved/cur'))).toEqual(['1.M1P1.moved,S=2:2,S']);
    expect(readdirSync(join(snap, 'vmail/example.com/fresh/cur'))).toEqual(['1.M1P1.fresh,S=2:2,S']);
  });

  it('the restore copier saves a live mailbox whose listed message was expunged meanwhile', async () => {
    const live = join(work, 'd-live');
    const box = mailbox(live, { 'cur/1.M1P1.h,S=2:2,S': 'a\n', 'cur/2.M2P2.h,S=2:2,S': 'b\n' });
    const names = readdirSync(join(box, 'cur')).map((n) => `cur/${n}`);
    renameSync(join(box, 'cur/2.M2P2.h,S=2:2,S'), join(box, 'cur/2.M2P2.h,S=2:2,ST')); // after the listing
    const safety = join(work, 'd-safety');
    await copyTree(box, safety, { paths: names, liveSource: true });
    expect(existsSync(join(safety, 'cur/1.M1P1.h,S=2:2,S'))).toBe(true);
    await expect(copyTree(box, join(work, 'd-snapshot-copy'), { paths: names })).rejects.toThrow(/exit 23/);
  });
});
