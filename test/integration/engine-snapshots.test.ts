/**
 * Two snapshots of a live-looking maildir with real cp, rsync and sha256sum: renamed messages
 * stay linked, nothing of snapshot 1 changes (invariant 3), manifests verify, hashes are reused.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, lchownSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readManifestIndex } from '../../src/engine/index.js';
import { captureState, captureXattrs, inodes, makeMaildir, rsyncDiff, sha256sumCheck, snapshotMail, type GeneratedMail } from './engine-helpers.js';

const work = mkdtempSync(join(tmpdir(), 'engine-snap-'));
const src = join(work, 'src');
const dest = join(work, 'dest');
let mail: GeneratedMail;
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('two snapshots of a changing maildir', () => {
  let snap1: string;
  let snap2: string;
  let before: ReturnType<typeof captureState>;
  let xattrsBefore: string;
  const renamed: { from: string; to: string }[] = [];
  const deleted: string[] = [];
  let renamedAndChmod: { from: string; to: string };
  const box = 'vmail/example.com/alice';
  let r2: Awaited<ReturnType<typeof snapshotMail>>;

  beforeAll(async () => {
    mail = makeMaildir(src);
    for (const m of mail.messages) chownSync(join(src, m), 5000, 5000);
    symlinkSync('alice.sieve', join(src, 'sieve', 'active.sieve'));
    lchownSync(join(src, 'sieve', 'active.sieve'), 5000, 5000);
    writeFileSync(join(src, 'sieve', 'acl-target'), 'acl\n');
    writeFileSync(join(src, 'sieve', 'xattr-target'), 'xattr\n');
    mkdirSync(dest);
    const r1 = await snapshotMail(src, dest, '2026-01-01');
    snap1 = r1.snap;
    expect(r1.sync.addedFiles).toBe(r1.sync.files);
    expect(r1.manifest.hashed).toBe(r1.manifest.files);
    before = captureState(snap1);
    xattrsBefore = captureXattrs(snap1);

    // one day of activity
    const cur = mail.messages.filter((m) => m.startsWith(box + '/cur/'));
    const fresh = mail.messages.filter((m) => m.startsWith(box + '/new/'));
    for (const m of cur.slice(0, 8)) {
      const to = m.replace(/:2,S?$/, ':2,RS');
      renameSync(join(src, m), join(src, to));
      renamed.push({ from: m, to });
    }
    for (const m of fresh.slice(0, 3)) {
      const to = m.replace('/new/', '/cur/') + ':2,S';
      renameSync(join(src, m), join(src, to));
      renamed.push({ from: m, to });
    }
    // read AND chmod-ed: the renamed clone file must not be chmod-ed in place either
    const alsoChmod = cur[8].replace(/:2,S?$/, ':2,RS');
    renameSync(join(src, cur[8]), join(src, alsoChmod));
    chmodSync(join(src, alsoChmod), 0o660);
    renamedAndChmod = { from: cur[8], to: alsoChmod };
    // an IMAP MOVE to another folder: same file name, other folder
    const moved = cur[9].replace(`${box}/cur/`, `${box}/.Archive/cur/`);
    renameSync(join(src, cur[9]), join(src, moved));
    renamed.push({ from: cur[9], to: moved });
    for (const m of cur.slice(10, 13)) {
      unlinkSync(join(src, m));
      deleted.push(m);
    }
    writeFileSync(join(src, box, 'new', '1800000000.M1P1.mail,S=5,W=6'), 'new!\n');
    chmodSync(join(src, cur[14]), 0o640);
    chownSync(join(src, cur[15]), 1234, 1234);
    utimesSync(join(src, cur[16]), 1_800_000_000, 1_800_000_000);
    lchownSync(join(src, 'sieve', 'active.sieve'), 0, 0);
    execFileSync('setfacl', ['-m', 'u:4321:r', join(src, 'sieve', 'acl-target')]);
    execFileSync('setfattr', ['-n', 'user.mailbackup', '-v', 'changed', join(src, 'sieve', 'xattr-target')]);

    r2 = await snapshotMail(src, dest, '2026-01-02', snap1);
    snap2 = r2.snap;
  });

  it('leaves every file of snapshot 1 exactly as it was (invariant 3)', () => {
    expect(captureState(snap1)).toEqual(before);
    expect(captureXattrs(snap1)).toBe(xattrsBefore);
  });

  it('mirrors the source exactly, attributes, ACLs and xattrs included', () => {
    expect(rsyncDiff(src, join(snap2, 'mail'))).toBe('');
    expect(execFileSync('getfacl', ['-p', join(snap2, 'mail/sieve/acl-target')], { encoding: 'utf8' })).toContain('user:4321:r--');
    expect(lstatSync(join(snap2, 'mail/sieve/active.sieve')).uid).toBe(0);
  });

  it('links renamed and unchanged messages to snapshot 1 instead of copying them', () => {
    for (const { from, to } of renamed) {
      expect(lstatSync(join(snap2, 'mail', to)).ino, to).toBe(before.get(`mail/${from}`)!.ino);
    }
    const unchanged = mail.messages.filter((m) => !renamed.some((r) => r.from === m) && !deleted.includes(m)).slice(20, 40);
    for (const m of unchanged) expect(lstatSync(join(snap2, 'mail', m)).ino).toBe(before.get(`mail/${m}`)!.ino);
    expect(r2.sync.linkedRenames).toBe(renamed.length); // the one renamed and chmod-ed is copied: a new inode
  });

  it('gives changed-attribute files a new inode in snapshot 2', () => {
    const cur = mail.messages.filter((m) => m.startsWith(box + '/cur/'));
    for (const m of [cur[14], cur[15], cur[16]]) expect(lstatSync(join(snap2, 'mail', m)).ino).not.toBe(before.get(`mail/${m}`)!.ino);
    const { from, to } = renamedAndChmod;
    expect(lstatSync(join(snap2, 'mail', to)).ino).not.toBe(before.get(`mail/${from}`)!.ino);
    expect(lstatSync(join(snap2, 'mail', to)).mode & 0o777).toBe(0o660);
    expect(lstatSync(join(snap2, 'mail', cur[14])).mode & 0o777).toBe(0o640);
  });

  it('writes manifests that sha256sum -c accepts, without the metadata files', () => {
    sha256sumCheck(snap1);
    sha256sumCheck(snap2);
    const lines = readFileSync(join(snap2, 'manifest.sha256'), 'utf8').trim().split('\n');
    expect(lines.some((l) => l.endsWith('backup.json') || l.includes('manifest.'))).toBe(false);
    const paths = lines.map((l) => l.slice(66));
    const cSorted = execFileSync('sort', [], { input: paths.join('\n') + '\n', env: { ...process.env, LC_ALL: 'C' }, encoding: 'utf8' }).trim().split('\n');
    expect(paths).toEqual(cSorted);
    expect(lstatSync(join(snap2, 'manifest.sha256')).mode & 0o777).toBe(0o600);
    expect(lstatSync(join(snap2, 'manifest.index')).mode & 0o777).toBe(0o600);
  });

  it('hashes only the new inodes and marks exactly those as new in manifest.index', async () => {
    const old = inodes(snap1);
    const files = [...captureState(snap2).entries()].filter(([p, e]) => p.startsWith('mail/') && !e.content.startsWith('link:'));
    const fresh = files.filter(([, e]) => !old.has(e.ino)).map(([p]) => p).sort();
    expect(r2.manifest.hashed).toBe(fresh.length);
    expect(r2.manifest.reused).toBe(files.length - fresh.length);
    const marked: string[] = [];
    for await (const e of readManifestIndex(snap2)) if (e.isNew) marked.push(e.path);
    expect(marked.sort()).toEqual(fresh);
    // new inodes: the delivery, mode/owner/mtime changes (one of them renamed too), the ACL/xattr targets
    expect(fresh).toHaveLength(7);
    expect(r2.sync.addedFiles).toBe(fresh.length);
  });
});
