/**
 * The engine's behaviour on awkward runs: files vanishing under rsync (exit 24), an interrupted
 * .partial reused, a day where users only read mail, the config entries form, rsync failing.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncComponent, writeManifest, type ComponentSyncResult } from '../../src/engine/index.js';
import { mountTmpfs } from '../helpers/mount.js';
import { captureState, inodes, makeMaildir, rsyncDiff, sha256sumCheck, silentLog, snapshotMail } from './engine-helpers.js';

const work = mkdtempSync(join(tmpdir(), 'engine-runs-'));
afterAll(() => {
  try {
    execFileSync('chattr', ['-R', '-i', work], { stdio: 'ignore' });
  } catch {
    /* nothing immutable left */
  }
  rmSync(work, { recursive: true, force: true });
});

function dirOf(name: string): string {
  const d = join(work, name);
  mkdirSync(d, { recursive: true });
  return d;
}

describe('rsync exit 24 (files vanished during the run)', () => {
  it('is counted, neither a failure nor a warning, and the snapshot matches what is left', async () => {
    let result: ComponentSyncResult | undefined;
    // The race (delete after rsync listed the files, before it copied them) is set up so it
    // practically always hits; a few attempts make a slow machine no reason to fail.
    for (let attempt = 0; attempt < 4 && !result?.vanished; attempt++) {
      const src = dirOf(`vanish-src-${attempt}`);
      const big = join(src, 'big');
      mkdirSync(big);
      const N = 20_000;
      const name = (i: number) => `f${String(i).padStart(6, '0')}`;
      const body = Buffer.alloc(1024, 120);
      for (let i = 0; i < N; i++) writeFileSync(join(big, name(i)), body);
      const partial = dirOf(`vanish-dest-${attempt}/daily/2026-01-01.partial`);
      const first = join(partial, 'mail', 'big', name(0));
      let next = N - 1;
      const deleter = setInterval(() => {
        if (!existsSync(first)) return;
        for (const stop = Math.max(N / 2, next - 2000); next > stop; next--) unlinkSync(join(big, name(next)));
      }, 1);
      try {
        result = await syncComponent({ name: 'mail', source: { dir: src }, maildir: true }, { partialDir: partial, log: silentLog });
      } finally {
        clearInterval(deleter);
      }
      expect(rsyncDiff(src, join(partial, 'mail'))).toBe('');
    }
    expect(result!.vanished).toBeGreaterThan(0);
    expect(result!.warnings).toEqual([]);
  });
});

describe('an interrupted .partial', () => {
  it('is reused as it is, finished correctly, and still never touches the previous snapshot', async () => {
    const src = join(dirOf('reuse'), 'src');
    const dest = dirOf('reuse/dest');
    const mail = makeMaildir(src);
    const snap1 = (await snapshotMail(src, dest, '2026-01-01')).snap;
    const before = captureState(snap1);
    const cur = mail.messages.filter((m) => m.includes('/cur/'));

    // day 2, first (interrupted) attempt: a rename and a chmod get synced ...
    renameSync(join(src, cur[0]), join(src, cur[0].replace(/:2,S?$/, ':2,RS')));
    chmodSync(join(src, cur[1]), 0o640);
    const partial = join(dest, 'daily', '2026-01-02.partial');
    const opts = { partialDir: partial, prevDir: snap1, log: silentLog };
    const spec = { name: 'mail', source: { dir: src }, maildir: true };
    await syncComponent(spec, opts);
    const chmodIno = lstatSync(join(partial, 'mail', cur[1])).ino;
    // ... then the run dies: some files not yet copied, an rsync temp file left behind
    unlinkSync(join(partial, 'mail', cur[5]));
    writeFileSync(join(partial, 'mail', 'vmail/example.com/alice/cur/.tmpfile.Xy12Ab'), 'half');
    // more activity before the retry, on files the partial still shares with snapshot 1
    renameSync(join(src, cur[2]), join(src, cur[2].replace(/:2,S?$/, ':2,FS')));
    chmodSync(join(src, cur[3]), 0o604);

    const r = await syncComponent(spec, opts);
    expect(r.warnings).toEqual([]);
    expect(lstatSync(join(partial, 'mail', cur[1])).ino).toBe(chmodIno); // reused, not re-cloned
    expect(lstatSync(join(partial, 'mail', cur[2].replace(/:2,S?$/, ':2,FS'))).ino).toBe(before.get(`mail/${cur[2]}`)!.ino);
    expect(rsyncDiff(src, join(partial, 'mail'))).toBe('');
    expect(captureState(snap1)).toEqual(before);
  });

  it('rebuilds a half-built component: files an earlier attempt copied are reused, the rest linked, junk dropped', async () => {
    const src = join(dirOf('reclone'), 'src');
    const dest = dirOf('reclone/dest');
    makeMaildir(src, ['carol'], 5);
    const snap1 = (await snapshotMail(src, dest, '2026-01-01')).snap;
    const partial = dirOf('reclone/dest/daily/2026-01-02.partial');
    mkdirSync(join(partial, 'mail', 'junk'), { recursive: true });
    writeFileSync(join(partial, 'mail', 'junk', 'x'), 'not in the source');
    const r = await syncComponent({ name: 'mail', source: { dir: src }, maildir: true }, { partialDir: partial, prevDir: snap1, log: silentLog });
    expect(r.addedFiles).toBe(0);
    expect(readdirSync(partial).filter((n) => !n.startsWith('.'))).toEqual(['mail']);
    expect(rsyncDiff(src, join(partial, 'mail'))).toBe('');
    const old = inodes(join(snap1, 'mail'));
    expect([...inodes(join(partial, 'mail'))].every((i) => old.has(i))).toBe(true);
  });
});

describe('the previous snapshot changed under the engine (invariant 3)', () => {
  it('links nothing whose inode no longer looks as the index says: that file is copied', async () => {
    const src = join(dirOf('leak'), 'src');
    const dest = dirOf('leak/dest');
    const mail = makeMaildir(src, ['dave'], 5);
    const snap1 = (await snapshotMail(src, dest, '2026-01-01')).snap;
    const victim = mail.messages.find((m) => m.includes('/cur/'))!;
    chmodSync(join(snap1, 'mail', victim), 0o604); // someone chmod-ed the old snapshot's file
    const before = captureState(snap1);
    const { snap, sync } = await snapshotMail(src, dest, '2026-01-02', snap1);
    expect(sync.addedFiles).toBe(1);
    expect(statSync(join(snap, 'mail', victim)).mode & 0o777).toBe(statSync(join(src, victim)).mode & 0o777);
    expect(statSync(join(snap, 'mail', victim)).ino).not.toBe(before.get(`mail/${victim}`)!.ino);
    expect(captureState(snap1)).toEqual(before);
    sha256sumCheck(snap);
    expect(rsyncDiff(src, join(snap, 'mail'))).toBe('');
  });
});

describe('a day where 10 % of the messages were only read', () => {
  it('adds less than 1 % of those messages\' bytes', async () => {
    const src = join(dirOf('read'), 'src');
    const dest = dirOf('read/dest');
    const mail = makeMaildir(src, ['alice', 'bob'], 100, 20_000);
    const snap1 = (await snapshotMail(src, dest, '2026-01-01')).snap;
    let readBytes = 0;
    const read = mail.messages.filter((_, i) => i % 10 === 3).map((m) => ({ from: m, to: m.includes('/new/') ? m.replace('/new/', '/cur/') + ':2,S' : m.replace(/:2,S?$/, ':2,RS') }));
    for (const m of read) {
      readBytes += statSync(join(src, m.from)).size;
      renameSync(join(src, m.from), join(src, m.to));
    }
    const { snap, sync, manifest } = await snapshotMail(src, dest, '2026-01-02', snap1);
    const old = inodes(snap1);
    let added = 0;
    for (const [p, e] of captureState(join(snap, 'mail'))) {
      if (!old.has(e.ino) && !e.content.startsWith('link:')) added += lstatSync(join(snap, 'mail', p)).size;
    }
    // each read message is the day before's inode under its new name, and its old name is gone
    for (const m of read) {
      expect(lstatSync(join(snap, 'mail', m.to)).ino, m.to).toBe(lstatSync(join(snap1, 'mail', m.from)).ino);
      expect(existsSync(join(snap, 'mail', m.from)), m.from).toBe(false);
    }
    expect(added).toBeLessThan(readBytes * 0.01);
    expect(sync.linkedRenames).toBe(read.length);
    expect(sync.addedBytes).toBeLessThan(readBytes * 0.01);
    expect(manifest.hashed).toBe(0);
    sha256sumCheck(snap);
  });
});

describe('the entries form (config component)', () => {
  const base = join(work, 'cfg', 'root');
  const entry = (p: string, content = p) => {
    mkdirSync(join(base, p, '..'), { recursive: true });
    writeFileSync(join(base, p), content);
  };

  it('mirrors each entry by its relative path and drops an entry removed from the config', async () => {
    entry('docker-compose.yml');
    entry('.env');
    chmodSync(join(base, '.env'), 0o600);
    entry('config/postfix/main.cf');
    entry('scripts/backup.sh');
    entry('data/mail/not-config');
    const partial1 = dirOf('cfg/dest/daily/2026-01-01.partial');
    const entries = ['docker-compose.yml', '.env', 'config', 'scripts/'];
    const r1 = await syncComponent({ name: 'config', source: { base, entries } }, { partialDir: partial1, log: silentLog });
    await writeManifest(partial1, [r1.part], { log: silentLog }); // the next run links from its index
    expect(r1.files).toBe(4);
    expect(readdirSync(join(partial1, 'config')).sort()).toEqual(['.env', 'config', 'docker-compose.yml', 'scripts']);
    expect(statSync(join(partial1, 'config', '.env')).mode & 0o777).toBe(0o600);

    const partial2 = dirOf('cfg/dest/daily/2026-01-02.partial');
    const r2 = await syncComponent({ name: 'config', source: { base, entries: entries.slice(0, 3) } }, { partialDir: partial2, prevDir: partial1, log: silentLog });
    expect(r2.addedFiles).toBe(0);
    expect(readdirSync(join(partial2, 'config')).sort()).toEqual(['.env', 'config', 'docker-compose.yml']);
    expect(statSync(join(partial2, 'config', 'config/postfix/main.cf')).ino).toBe(statSync(join(partial1, 'config', 'config/postfix/main.cf')).ino);
  });

  it('refuses an entry missing from the source, naming it', async () => {
    const partial = dirOf('cfg/dest/daily/2026-01-03.partial');
    await expect(
      syncComponent({ name: 'config', source: { base, entries: ['docker-compose.yml', 'no-such-dir'] } }, { partialDir: partial, log: silentLog }),
    ).rejects.toThrow(/no-such-dir/);
  });
});

describe('rsync failing', () => {
  it('throws with rsync\'s own message', async () => {
    const src = dirOf('fail/src');
    writeFileSync(join(src, 'a'), Buffer.alloc(4 << 20, 1)); // 4 MiB into a 1 MiB filesystem
    const disk = await mountTmpfs(1);
    try {
      const partial = join(disk.dir, 'daily', '2026-01-01.partial');
      mkdirSync(join(disk.dir, 'daily'));
      await expect(syncComponent({ name: 'ssl', source: { dir: src } }, { partialDir: partial, scratchDir: dirOf('fail/scratch'), log: silentLog })).rejects.toThrow(
        /rsync of ssl .*exit \d+.*No space left on device/s,
      );
    } finally {
      await disk.cleanup();
    }
  });
});
