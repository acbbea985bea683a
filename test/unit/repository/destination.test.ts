/** A reader's read() against deletion intents on a real destination directory (issue 29 item 4). */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lockDestination } from '../../../src/repository/destination.js';
import { waitFor } from '../../helpers/wait.js';
import { buildSnapshot, makeDestination, pointLatest, sampleMail } from '../../helpers/snapshot-builder.js';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

function twoDays() {
  const root = makeDestination('mb-dest-read-');
  roots.push(root);
  const first = buildSnapshot(root, { date: '2026-03-01', files: sampleMail('d1') });
  buildSnapshot(root, { date: '2026-03-02', files: sampleMail('d2') });
  pointLatest(root, 'daily', '2026-03-02');
  mkdirSync(join(root, '.readers'));
  return { root, first };
}

const open = (root: string) => lockDestination(root, { format: 1, createdAt: '' }, 'shared', { command: 'verify' });
const intent = (root: string, rec: object) => writeFileSync(join(root, '.readers', 'deleting-daily-2026-03-01.json'), JSON.stringify({ command: 'rotate', startedAt: new Date().toISOString(), snapshot: 'daily/2026-03-01', ...rec }));
const readerFiles = (root: string) => readdirSync(join(root, '.readers')).filter((n) => !n.startsWith('deleting-'));
const readerSnapshots = (root: string) =>
  readerFiles(root)
    .flatMap((n) => JSON.parse(readFileSync(join(root, '.readers', n), 'utf8')).snapshots);

describe('Destination.read against deletion intents', () => {
  it("ignores a crashed rotation's intent", async () => {
    const { root } = twoDays();
    intent(root, { pid: spawnSync('true').pid, host: hostname() });
    const dest = await open(root);
    await expect(dest.read('2026-03-01')).resolves.toMatchObject({ id: 'daily/2026-03-01' });
    expect(readerSnapshots(root)).toEqual(['daily/2026-03-01']);
    dest.release();
  });

  it("does not read under another machine's intent: exit 75 naming it and `mailbackup unlock`, nothing held", async () => {
    const { root } = twoDays();
    intent(root, { pid: 77, host: 'mail02-old-server' });
    const dest = await open(root);
    const err = await dest.read('2026-03-01').catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: 75, message: expect.stringMatching(/^snapshot daily\/2026-03-01 is being deleted by pid 77 on mail02-old-server, `rotate`.*`mailbackup unlock` removes it/) });
    expect(readerSnapshots(root)).toEqual([]);
    expect(await dest.read('latest')).toMatchObject({ id: 'daily/2026-03-02' }); // other snapshots read as ever
    dest.release();
  });

  it('a snapshot deleted while the reader waits for a rotation: exit 2, it was deleted, nothing read', async () => {
    const { root, first } = twoDays();
    const file = join(root, '.readers', 'deleting-daily-2026-03-01.json');
    intent(root, { pid: 77, host: 'mail02-old-server' });
    const dest = await open(root);
    const reading = dest.read('2026-03-01').catch((e: unknown) => e);
    // its reader file, holding nothing: the reader has seen the intent, let go and is looking again
    await waitFor(() => readerFiles(root).length === 1 && readerSnapshots(root).length === 0, { what: 'the reader to see the intent' });
    renameSync(first, `${first}.deleting`); // what that rotation does next
    unlinkSync(file);
    expect(await reading).toMatchObject({ exitCode: 2, message: expect.stringMatching(/^snapshot daily\/2026-03-01 was deleted by a rotation as this command started; nothing was read from it/) });
    expect(readerSnapshots(root)).toEqual([]);
    dest.release();
  });
});
