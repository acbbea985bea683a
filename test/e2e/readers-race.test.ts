/**
 * Issue 29 item 4: a reader that is actively reading is never surprised by a rotation. Nothing is
 * frozen or paused: each round a real `restore all --to` of the oldest snapshot (cp -a, which
 * reaches every file by its path under the snapshot) and a real
 * `rotate` (both the built CLI) start a random few milliseconds apart on a loop-mounted ext4, and
 * the round must end one of the ways a user can live with:
 * - held:    the restore finished on intact data (sha256sum -c against the manifest), rotation deferred;
 * - refused: the restore said the snapshot was deleted before it read anything (exit 2), rotation deleted;
 * - apart:   they did not overlap (readFirst: the restore was done before rotation looked;
 *            rotatedFirst: rotation was done before the restore looked, `no snapshot`, exit 64).
 * The rename-first rotation this replaced failed here with `No such file or directory` mid-copy.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountLoopExt4, type Mounted } from '../helpers/mount.js';
import { buildSnapshot, pointLatest, writeConfig } from '../helpers/snapshot-builder.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '../../dist/mailbackup.mjs');
const ROUNDS = 60;

interface Ran {
  code: number | null;
  out: string;
}

function cli(config: string, args: string[]): Promise<Ran> {
  const child = spawn(process.execPath, [CLI, '--config', config, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((r) => child.on('close', (code) => r({ code, out })));
}

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)));
}

/** One file per line, like a day of rotated logs: 1,500 of them make the restore read for a while. */
function logs(): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < 1500; i++) out[`logs/mail/${String(i).padStart(4, '0')}.log`] = `${i} postfix/smtpd[${1000 + i}]: connect from unknown\n`.repeat(40);
  return out;
}

describe('a reader copying a snapshot while rotation deletes it', () => {
  let disk: Mounted;
  let root: string;
  let config: string;
  let checkFile: string;
  let expected: number;

  beforeAll(async () => {
    disk = await mountLoopExt4(256);
    root = join(disk.dir, 'mailserver');
    mkdirSync(root, { mode: 0o700 });
    writeFileSync(join(root, '.mailbackup'), JSON.stringify({ format: 1, createdAt: new Date().toISOString() }) + '\n');
    const first = buildSnapshot(root, { date: '2026-01-10', files: logs() });
    buildSnapshot(root, { date: '2026-01-11', cloneFrom: first, files: { 'logs/mail/new.log': 'one more\n' } });
    pointLatest(root, 'daily', '2026-01-11');
    config = writeConfig(root, { retention: { daily: 2, weekly: 0 } });
    // what a restore must hold: the snapshot's manifest (logs/ only: restore all lays it out as logs/)
    const lines = readFileSync(join(first, 'manifest.sha256'), 'utf8').split('\n').filter(Boolean);
    expect(lines.every((l) => l.slice(66).startsWith('logs/'))).toBe(true);
    expected = lines.length;
    checkFile = join(first, 'manifest.sha256');
  });
  afterAll(async () => {
    await disk?.cleanup();
  });

  it(`every one of ${ROUNDS} rounds: the restore reads intact data while rotation defers, or refuses before reading`, async () => {
    const template = join(root, 'daily', '2026-01-10');
    const tally = { held: 0, refused: 0, readFirst: 0, rotatedFirst: 0 };
    const failures: string[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const date = new Date(Date.UTC(2025, 0, 1 + i)).toISOString().slice(0, 10);
      const victim = join(root, 'daily', date);
      execFileSync('cp', ['-al', template, victim]); // one more oldest snapshot, as a backup's hardlinks make it
      const to = join(disk.dir, `restored-${i}`);
      const lead = Math.round(Math.random() * 300) - 80; // ms the restore starts before the rotation
      const later = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
      const [reader, rotation] = await Promise.all([
        later(-lead).then(() => cli(config, ['restore', 'all', '--snapshot', date, '--to', to])),
        later(lead).then(() => cli(config, ['rotate'])),
      ]);
      const deferred = new RegExp(`deferred daily/${date}: in use by pid \\d+ .*\`restore all\``).test(rotation.out);
      const deleted = new RegExp(`delete {2}daily/${date}`).test(rotation.out) && !deferred && !existsSync(victim);
      const got = files(to);
      const intact = () => {
        try {
          execFileSync('sha256sum', ['-c', '--quiet', '--strict', checkFile], { cwd: to, stdio: 'pipe' });
          return got.length === expected;
        } catch {
          return false;
        }
      };
      let outcome: keyof typeof tally | undefined;
      if (rotation.code !== 0) outcome = undefined;
      else if (reader.code === 0 && intact() && deferred && existsSync(victim)) outcome = 'held';
      else if (reader.code === 2 && /snapshot daily\/\S+ was deleted by a rotation as this command started; nothing was read from it/.test(reader.out) && got.length === 0 && deleted) outcome = 'refused';
      else if (reader.code === 0 && intact() && deleted) outcome = 'readFirst'; // done before rotation looked
      else if (reader.code === 64 && new RegExp(`no snapshot ${date} in`).test(reader.out) && deleted) outcome = 'rotatedFirst';
      if (outcome) tally[outcome]++;
      else failures.push(`round ${i} (restore ${lead} ms ahead): restore exit ${reader.code}, ${got.length} files: ${reader.out.trim().slice(0, 300)} | rotate exit ${rotation.code}: ${rotation.out.trim().slice(0, 300)}`);
      rmSync(to, { recursive: true, force: true });
      rmSync(victim, { recursive: true, force: true }); // a deferred one, so the next round's victim is the only one
    }
    console.log(`readers-race: ${ROUNDS} rounds, ${failures.length} failed: ${JSON.stringify(tally)}${failures.length ? `; first: ${failures[0]}` : ''}`);
    expect(failures).toEqual([]);
    // both sides of the race were met, not only rounds where one ran after the other
    expect(tally.held).toBeGreaterThan(0);
    expect(tally.refused + tally.rotatedFirst).toBeGreaterThan(0);
    expect(readdirSync(join(root, '.readers'))).toEqual([]); // no reader file or intent left behind
  });
});
