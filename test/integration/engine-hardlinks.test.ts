/**
 * Hardlinks inside the source (Dovecot's maildir_copy_with_hardlinks: a message copied to another
 * folder is one inode under two names) stay one inode in every snapshot: in a first full copy
 * (the second name is linked to the first's copy, hardlinks.ts) and in the next run (linked
 * from the previous snapshot, or to a new first name), and the manifest lists each name once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { linkSync, lstatSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readManifestIndex } from '../../src/engine/index.js';
import { makeMaildir, rsyncDiff, sha256sumCheck, snapshotMail } from './engine-helpers.js';

const work = mkdtempSync(join(tmpdir(), 'engine-hardlinks-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('hardlinks inside the source', () => {
  it('stay one inode in a first full copy and in the next run, new pairs included', async () => {
    const src = join(work, 'src');
    const dest = join(work, 'dest');
    const mail = makeMaildir(src, ['alice'], 20);
    const inbox = mail.messages.filter((m) => m.includes('/cur/') && !m.includes('.Archive'));
    const copyOf = (m: string) => m.replace('alice/cur/', 'alice/.Archive/cur/copy-');
    for (const m of inbox.slice(0, 3)) linkSync(join(src, m), join(src, copyOf(m)));
    const ino = (snap: string, p: string) => lstatSync(join(snap, 'mail', p)).ino;
    const same = (snap: string, a: string) => [ino(snap, a) === ino(snap, copyOf(a)), lstatSync(join(snap, 'mail', a)).nlink];

    const one = await snapshotMail(src, dest, '2026-12-01');
    for (const m of inbox.slice(0, 3)) expect(same(one.snap, m), m).toEqual([true, 2]);
    expect(rsyncDiff(src, join(one.snap, 'mail'))).toBe('');
    sha256sumCheck(one.snap);
    const paths: string[] = [];
    for await (const e of readManifestIndex(one.snap)) paths.push(e.path);
    expect(new Set(paths).size).toBe(paths.length);
    for (const m of inbox.slice(0, 3)) expect(paths).toContain(`mail/${copyOf(m)}`);

    // a day later: a third name of an old message, and a new message delivered with two names
    const later = 'vmail/example.com/alice/.Archive/cur/later-copy:2,S';
    linkSync(join(src, inbox[0]), join(src, later));
    const fresh = ['vmail/example.com/alice/cur/1800000000.M1P1.mail:2,S', 'vmail/example.com/alice/.Archive/cur/1800000000.M1P1.mail:2,S'];
    writeFileSync(join(src, fresh[0]), 'From: y@example.org\n\nnew\n');
    linkSync(join(src, fresh[0]), join(src, fresh[1]));
    const two = await snapshotMail(src, dest, '2026-12-02', one.snap);
    for (const m of inbox.slice(1, 3)) {
      expect(ino(two.snap, m), m).toBe(ino(one.snap, m));
      expect(ino(two.snap, copyOf(m)), m).toBe(ino(one.snap, m));
    }
    // the new name moved the inode's ctime, so it is copied again (link-plan.ts: changedSince), once
    expect(ino(two.snap, copyOf(inbox[0]))).toBe(ino(two.snap, inbox[0]));
    expect(ino(two.snap, later)).toBe(ino(two.snap, inbox[0]));
    expect(ino(two.snap, fresh[1])).toBe(ino(two.snap, fresh[0]));
    expect(lstatSync(join(two.snap, 'mail', fresh[0])).nlink).toBe(2);
    expect(rsyncDiff(src, join(two.snap, 'mail'))).toBe('');
    sha256sumCheck(two.snap);
  });
});
