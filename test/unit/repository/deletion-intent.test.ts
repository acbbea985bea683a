/** A rotation's intent to delete a snapshot (.readers/deleting-<kind>-<date>.json), judged like any lock. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claimDeletion, listIntents, readIntent, removeStaleIntents } from '../../../src/repository/deletion-intent.js';
import { deletionIntentId } from '../../../src/repository/layout.js';
import { makeDestination } from '../../helpers/snapshot-builder.js';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

function destination(): string {
  const root = makeDestination('mb-intent-');
  roots.push(root);
  mkdirSync(join(root, '.readers'));
  return root;
}

const deadPid = () => spawnSync('true').pid;
const write = (root: string, name: string, rec: object) => writeFileSync(join(root, '.readers', name), JSON.stringify(rec));

describe('deletion intents', () => {
  it('names: one per snapshot, never mistaken for a reader file', () => {
    expect(deletionIntentId('deleting-daily-2026-03-01.json')).toBe('daily/2026-03-01');
    expect(deletionIntentId('deleting-weekly-2026-02-29.json')).toBeUndefined(); // no such date
    expect(deletionIntentId('deleting-4242-1772337600000-0.json')).toBeUndefined(); // a reader on host "deleting"
    expect(deletionIntentId('deleting-daily-2026-03-01.json.4242.tmp')).toBeUndefined();
  });

  it('is written whole, read back with its holder, and removed by release', () => {
    const root = destination();
    const claim = claimDeletion(root, 'daily/2026-03-01', 'rotate');
    if (!('intent' in claim)) throw new Error('not claimed');
    const file = join(root, '.readers', 'deleting-daily-2026-03-01.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname(), command: 'rotate', snapshot: 'daily/2026-03-01' });
    expect(readdirSync(join(root, '.readers'))).toEqual(['deleting-daily-2026-03-01.json']); // no temporary left
    expect(readIntent(root, 'daily/2026-03-01')).toMatchObject({ file, id: 'daily/2026-03-01', record: { pid: process.pid } });
    claim.intent.release();
    expect(existsSync(file)).toBe(false);
    expect(readIntent(root, 'daily/2026-03-01')).toBeUndefined();
  });

  it("replaces a crashed rotation's intent, and yields to another machine's", () => {
    const root = destination();
    const at = new Date().toISOString();
    write(root, 'deleting-daily-2026-03-01.json', { pid: deadPid(), host: hostname(), command: 'rotate', startedAt: at, snapshot: 'daily/2026-03-01' });
    const foreign = { pid: 77, host: 'mail02-old-server', command: 'rotate', startedAt: at, snapshot: 'daily/2026-03-02' };
    write(root, 'deleting-daily-2026-03-02.json', foreign);

    const mine = claimDeletion(root, 'daily/2026-03-01', 'rotate');
    expect('intent' in mine && mine.intent.record.pid).toBe(process.pid);
    const theirs = claimDeletion(root, 'daily/2026-03-02', 'rotate');
    expect(theirs).toMatchObject({ heldBy: { record: foreign, verdict: { kind: 'foreign' } } });
    expect(JSON.parse(readFileSync(join(root, '.readers', 'deleting-daily-2026-03-02.json'), 'utf8'))).toEqual(foreign);
  });

  it('removeStaleIntents removes those of gone rotations only; reader files are not intents', () => {
    const root = destination();
    const at = new Date().toISOString();
    const dead = deadPid();
    write(root, 'deleting-weekly-2026-03-01.json', { pid: dead, host: hostname(), command: 'rotate', startedAt: at, snapshot: 'weekly/2026-03-01' });
    write(root, 'deleting-daily-2026-03-02.json', { pid: 77, host: 'mail02-old-server', command: 'rotate', startedAt: at, snapshot: 'daily/2026-03-02' });
    write(root, `${hostname()}-${dead}-1-0.json`, { pid: dead, host: hostname(), command: 'verify', startedAt: at, snapshots: ['daily/2026-03-02'] });
    expect(listIntents(root).map((i) => [i.id, i.verdict.kind])).toEqual([['daily/2026-03-02', 'foreign'], ['weekly/2026-03-01', 'stale']]);
    expect(removeStaleIntents(root).map((i) => i.id)).toEqual(['weekly/2026-03-01']);
    expect(readdirSync(join(root, '.readers')).sort()).toEqual(['deleting-daily-2026-03-02.json', `${hostname()}-${dead}-1-0.json`].sort());
  });
});
