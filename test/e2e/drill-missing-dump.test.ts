/**
 * Issue 15: a drill whose dump vanished under it died on `Unhandled 'error' event … ENOENT`,
 * exited 1 and wrote no report. A dump file that cannot be read is a failed check of that
 * database: the drill goes on, writes its report and exits 2.
 */
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixture, type Fixture } from '../helpers/fixture.js';

describe('drill with a dump gone from the snapshot', () => {
  let f: Fixture;
  let work: string;
  beforeAll(async () => {
    f = await createFixture({ tree: { domains: 1, usersPerDomain: 1, messagesPerFolder: 2 } });
    work = mkdtempSync('/var/tmp/mailbackup-drill-test-');
    chmodSync(work, 0o711);
    const b = await f.run(['backup', '--date', '2026-11-01']);
    expect(b.code, b.stderr).toBe(0);
  });
  afterAll(async () => {
    if (work) rmSync(work, { recursive: true, force: true });
    await f?.cleanup();
  });

  it('fails that database check, checks the rest, writes the report and exits 2', async () => {
    unlinkSync(join(f.destRoot, 'daily/2026-11-01/mysql/usermgmt.sql.gz'));
    const r = await f.run(['drill', '--workdir', work]);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toMatch(/\[FAIL\] database usermgmt: .*ENOENT/);
    expect(r.stdout).toMatch(/\[ok\] database roundcubemail/);
    const reports = readdirSync(join(f.destRoot, 'drills')).filter((n) => n.endsWith('.json'));
    expect(reports.length).toBe(1);
    const report = JSON.parse(readFileSync(join(f.destRoot, 'drills', reports[0]), 'utf8'));
    expect(report).toMatchObject({ ok: false, snapshot: 'daily/2026-11-01' });
  });
});
