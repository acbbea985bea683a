/**
 * `report` after real backups (fixture: generated mail server, MariaDB behind the docker shim,
 * loop-mounted ext4): two good nights, a night whose database dump failed, and a run stopped
 * before it wrote anything (disk not mounted), which only the log tells.
 */
import { readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixture, type Fixture } from '../helpers/fixture.js';
import { simulateDay } from '../helpers/mailtree.js';

let f: Fixture;
const day = (back: number) => new Date(Date.now() - back * 86_400_000).toISOString().slice(0, 10);
const [D1, D2, D3] = [day(2), day(1), day(0)];
let delivered = 0;

beforeAll(async () => {
  f = await createFixture({ tree: { domains: 1, usersPerDomain: 3, messagesPerFolder: 6 } });
  const first = await f.run(['backup', '--date', D1]);
  expect(first.code, first.stderr).toBe(0);
  delivered = simulateDay(f.sourceRoot, { newFraction: 0.2, seed: 5 }).counts.delivered;
  const second = await f.run(['backup', '--date', D2]);
  expect(second.code, second.stderr).toBe(0);
  f.shim.setContainer('mailserver-mariadb', 'stopped');
  const third = await f.run(['backup', '--date', D3]);
  f.shim.setContainer('mailserver-mariadb', 'running');
  expect(third.code).toBe(2);
  const marker = join(f.destRoot, '.mailbackup');
  renameSync(marker, `${marker}.away`);
  const fourth = await f.run(['backup', '--date', D3]);
  renameSync(`${marker}.away`, marker);
  expect(fourth.code).toBe(2);
}, 300_000);
afterAll(async () => f?.cleanup());

const meta = (id: string) => JSON.parse(readFileSync(join(f.destRoot, id, 'backup.json'), 'utf8'));

describe('report after real backups', () => {
  it('--json lists each run: kind, result, duration, files and bytes added, and the run that made no snapshot', async () => {
    const r = await f.run(['--json', 'report']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.runs.map((x: { snapshot?: string; result: string }) => `${x.snapshot ?? '-'} ${x.result}`)).toEqual([
      `daily/${D1} ok`, `daily/${D2} ok`, `daily/${D3} failed`, '- not run',
    ]);
    const [full, second, failed, notRun] = j.runs;
    // the first run stored every file; the second only the new deliveries (and the dumps, the logs)
    expect(full.addedFiles).toBe(meta(`daily/${D1}`).totals.files);
    expect(second.addedFiles).toBeGreaterThanOrEqual(delivered);
    expect(second.addedFiles).toBeLessThan(full.addedFiles);
    expect(second.addedBytes).toBe(meta(`daily/${D2}`).totals.addedBytes);
    expect(second.durationMs).toBe(Date.parse(meta(`daily/${D2}`).finishedAt) - Date.parse(meta(`daily/${D2}`).startedAt));
    expect(failed.errors.join('\n')).toMatch(/^databases: .*mailserver-mariadb/m);
    expect(notRun.errors[0]).toMatch(/\.mailbackup/);
    expect(j.forecast).toMatchObject({ status: 'insufficient', nights: 1 });
  });

  it('as text through a pipe: the table, the failure under it, the status, no charts', async () => {
    const r = await f.run(['report', '--days', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^4 run\(s\): 2 ok, 2 failed; /m);
    expect(r.stdout).toMatch(/^\S+ \S+Z +daily +FAILED +/m);
    expect(r.stdout).toMatch(new RegExp(`^  daily/${D3}: databases: `, 'm'));
    expect(r.stdout).toMatch(/^forecast: +not enough data: 1 of 3 incremental nights in the last 30 days$/m);
    expect(r.stdout).toMatch(/^MAILBACKUP (CRITICAL|WARNING) - /m);
    expect(r.stdout).not.toMatch(/[▁▂▃▄▅▆▇█]/);
  });
});
