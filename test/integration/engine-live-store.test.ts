/**
 * The engine against a maildir that is renamed under it while it runs (issue: live mail store):
 * a child process flags, moves between folders, moves new → cur and expunges as fast as it can
 * during a first full run and three incremental ones. From the message base names: nothing that
 * existed before a run and was not expunged is missing, no folder holds a message twice, the
 * manifest checks out with sha256sum, and the previous snapshot is untouched.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseName as maildirBase } from '../../src/mailbox/maildir.js';
import { captureState, makeMaildir, sha256sumCheck, snapshotMail } from './engine-helpers.js';

const work = mkdtempSync(join(tmpdir(), 'engine-live-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const CHURN = join(import.meta.dirname, '..', 'helpers', 'maildir-churn.mjs');

/** mailbox → folder → message bases */
function messageBases(mailRoot: string): Map<string, Map<string, string[]>> {
  const out = new Map<string, Map<string, string[]>>();
  const domainDir = join(mailRoot, 'vmail', 'example.com');
  for (const user of readdirSync(domainDir)) {
    const folders = new Map<string, string[]>();
    for (const folder of ['', ...readdirSync(join(domainDir, user)).filter((n) => n.startsWith('.'))]) {
      const bases: string[] = [];
      for (const sub of ['cur', 'new']) {
        const dir = join(domainDir, user, folder, sub);
        if (existsSync(dir)) bases.push(...readdirSync(dir).map(maildirBase));
      }
      folders.set(folder || 'INBOX', bases);
    }
    out.set(user, folders);
  }
  return out;
}

function startChurn(root: string, log: string, seed: number) {
  const child = spawn(process.execPath, [CHURN, join(root, 'vmail'), log, String(seed)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const done = new Promise<number>((res) => child.on('exit', () => res(Number(out.trim()) || 0)));
  return { stop: async () => { child.kill('SIGTERM'); return done; } };
}

describe('a backup while the maildir is renamed under it', () => {
  it('loses no message and stores each once per folder, over a full and three incremental runs', async () => {
    const src = join(work, 'src');
    makeMaildir(src, ['alice', 'bob', 'carol', 'dave'], 600, 300);
    const dest = join(work, 'dest');
    let prev: string | undefined;
    let totalOps = 0;
    let checked = 0;
    for (let run = 0; run < 4; run++) {
      const before = messageBases(src);
      const prevState = prev ? captureState(prev) : undefined;
      const expungedLog = join(work, `expunged-${run}`);
      writeFileSync(expungedLog, '');
      const churn = startChurn(src, expungedLog, run + 1);
      const { snap, sync } = await snapshotMail(src, dest, `2026-01-0${run + 1}`, prev).finally(async () => {
        totalOps += await churn.stop();
      });
      const expunged = new Set(readFileSync(expungedLog, 'utf8').split('\n').filter(Boolean));
      const after = messageBases(join(snap, 'mail'));
      for (const [user, folders] of before) {
        const inSnapshot = new Set([...after.get(user)!.values()].flat());
        const lost = [...folders.values()].flat().filter((b) => !expunged.has(b) && !inSnapshot.has(b));
        expect(lost, `run ${run}: ${user} lost messages`).toEqual([]);
        checked += [...folders.values()].flat().length;
      }
      for (const [user, folders] of after) {
        for (const [folder, bases] of folders) {
          const twice = bases.filter((b, i) => bases.indexOf(b) !== i);
          expect(twice, `run ${run}: ${user}/${folder} holds a message twice`).toEqual([]);
        }
      }
      expect(sync.warnings).toEqual([]);
      sha256sumCheck(snap);
      if (prev) expect(captureState(prev)).toEqual(prevState);
      prev = snap;
    }
    expect(totalOps).toBeGreaterThan(100);
    expect(checked).toBeGreaterThan(4 * 2400); // messages that existed before a run, summed over the runs
  });
});
