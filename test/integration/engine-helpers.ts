/** Small fixtures for the engine tests: a maildir tree, snapshot state capture, snapshot runs. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, writeFileSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pino from 'pino';
import { syncComponent, writeManifest, type ComponentSpec } from '../../src/engine/index.js';

export const silentLog = pino({ level: process.env.ENGINE_DEBUG ? 'debug' : 'silent' });

export interface GeneratedMail {
  root: string;
  /** relative paths of message files */
  messages: string[];
}

/** vmail/example.com/<user>/ with INBOX and .Archive, `perFolder` messages each, a few in new/. */
export function makeMaildir(root: string, users = ['alice', 'bob'], perFolder = 30, bodySize = 2000): GeneratedMail {
  const messages: string[] = [];
  let seq = 0;
  for (const user of users) {
    const box = join('vmail', 'example.com', user);
    for (const folder of ['', '.Archive']) {
      const f = join(box, folder);
      for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(root, f, sub), { recursive: true, mode: 0o700 });
      if (folder) writeFileSync(join(root, f, 'maildirfolder'), '');
      writeFileSync(join(root, f, 'dovecot-uidlist'), '3 V1 N1\n');
      for (let i = 0; i < perFolder; i++) {
        seq++;
        const body = `From: x@example.org\nSubject: ${seq}\n\n` + 'x'.repeat(bodySize + (seq % 7) * 13) + '\n';
        const base = `${1717200000 + seq}.M${seq}P${100 + seq}.mail,S=${body.length},W=${body.length + 20}`;
        const rel = i % 5 === 0 ? join(f, 'new', base) : join(f, 'cur', `${base}:2,${i % 2 ? 'S' : ''}`);
        writeFileSync(join(root, rel), body, { mode: 0o600 });
        const t = (1717200000 + seq) * 1000;
        utimesSync(join(root, rel), t / 1000, t / 1000);
        messages.push(rel);
      }
    }
  }
  mkdirSync(join(root, 'sieve'), { recursive: true });
  writeFileSync(join(root, 'sieve', 'alice.sieve'), 'keep;\n');
  return { root, messages };
}

/** What invariant 3 protects, per path: content, mode, owner, mtime, inode (+ links for symlinks). */
export interface EntryState {
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  mtimeMs: number;
  content: string;
}

export function captureState(dir: string): Map<string, EntryState> {
  const out = new Map<string, EntryState>();
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(dir, r));
      if (st.isDirectory()) {
        walk(r);
        continue;
      }
      const content = st.isSymbolicLink()
        ? 'link:' + readlinkSync(join(dir, r))
        : createHash('sha256').update(readFileSync(join(dir, r))).digest('hex');
      out.set(r, { ino: st.ino, mode: st.mode, uid: st.uid, gid: st.gid, mtimeMs: st.mtimeMs, content });
    }
  };
  walk('');
  return out;
}

/** ACLs and xattrs of every file, as getfattr prints them (sorted, comparable before/after). */
export function captureXattrs(dir: string): string {
  return execFileSync('getfattr', ['-R', '-h', '-d', '-m', '-', '.'], { cwd: dir, encoding: 'utf8' });
}

/** Differences rsync still sees between source and snapshot component (empty = identical). */
export function rsyncDiff(src: string, dest: string): string {
  return execFileSync('rsync', ['-naHAXi', '--numeric-ids', '--delete', src + '/', dest + '/'], { encoding: 'utf8' }).trim();
}

export function sha256sumCheck(snap: string): void {
  execFileSync('sha256sum', ['-c', '--quiet', '--strict', 'manifest.sha256'], { cwd: snap, stdio: 'pipe' });
}

/** One snapshot of a mail component: sync, manifest, backup.json (startedAt), promote. */
export async function snapshotMail(src: string, destRoot: string, date: string, prevDir?: string, extra: Partial<ComponentSpec> = {}) {
  const partial = join(destRoot, 'daily', `${date}.partial`);
  mkdirSync(dirname(partial), { recursive: true }); // the caller's part (run-backup.ts): the engine makes one level
  // the engine copies what changed (ctime) after the previous run started, less the kernel's
  // clock lag: a run that starts the instant a test wrote its files would copy them all again
  await new Promise((r) => setTimeout(r, 30));
  const startedAt = new Date().toISOString();
  const spec: ComponentSpec = { name: 'mail', source: { dir: src }, maildir: true, ...extra };
  const sync = await syncComponent(spec, { partialDir: partial, prevDir, log: silentLog });
  const manifest = await writeManifest(partial, [sync.part], { log: silentLog });
  writeFileSync(join(partial, 'backup.json'), JSON.stringify({ startedAt }));
  const snap = join(destRoot, 'daily', date);
  renameSync(partial, snap);
  return { snap, sync, manifest };
}

/** Inode numbers of a snapshot's regular files. */
export function inodes(dir: string): Set<number> {
  const s = new Set<number>();
  for (const e of captureState(dir).values()) if (!e.content.startsWith('link:')) s.add(e.ino);
  return s;
}
