/**
 * Issue 15 item 2: an exception no failure class foresaw, or an 'error' event nobody handles,
 * is a bug: exit 70 (never 0, never 1 "warnings"), a message that says so and names the log
 * file, and the stack trace in that log file.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixture, type Fixture } from '../helpers/fixture.js';
import { repoRoot } from '../helpers/paths.js';

describe('internal errors', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await createFixture({ mariadb: false, destination: 'dir' });
  });
  afterAll(async () => f?.cleanup());

  const logFileOf = (stderr: string) => {
    const m = /the stack trace is in (\S+)/.exec(stderr);
    expect(m, stderr).not.toBeNull();
    return readFileSync(m![1], 'utf8');
  };

  it('a bug met on real data (a backup.json verification record without its date) exits 70 with the stack in the log', async () => {
    // written by hand or by another version: valid JSON, but `at` missing
    const snap = join(f.destRoot, 'daily/2026-11-01');
    mkdirSync(snap, { recursive: true });
    writeFileSync(join(snap, 'backup.json'), JSON.stringify({ status: 'ok', kind: 'daily', date: '2026-11-01', verification: { ok: true, level: 'full' } }));
    const r = await f.run(['list']);
    expect(r.code, r.stderr).toBe(70);
    expect(r.stderr).toMatch(/mailbackup: internal error \(this is a bug in mailbackup, please report it\): .*; the stack trace is in \//);
    const log = logFileOf(r.stderr);
    expect(log).toMatch(/"stack":"TypeError: [^"]*\\n\s+at /);

    const j = await f.run(['--json', 'list']);
    expect(j.code).toBe(70);
    expect(JSON.parse(j.stdout.trim().split('\n').at(-1)!)).toMatchObject({ exitCode: 70, error: expect.stringMatching(/internal error/) });
    rmSync(snap, { recursive: true });
  });

  it("an unhandled stream 'error' event (ENOENT) exits 70, not Node's 1", async () => {
    const preload = join(repoRoot(), 'test/helpers/faults/unhandled-stream-error.mjs');
    const r = await f.run(['status'], { NODE_OPTIONS: `--import ${preload}` });
    expect(r.code, r.stderr).toBe(70);
    expect(r.stderr).toMatch(/internal error \(this is a bug in mailbackup, please report it\): ENOENT.*mailbackup-fault\/usermgmt\.sql\.gz'; the stack trace is in \//);
    expect(logFileOf(r.stderr)).toMatch(/"stack":"Error: ENOENT/);
  });

  it('a reader of stdout that goes away (`mailbackup --help | true`) is no crash: exit 0', async () => {
    const { execFileSync } = await import('node:child_process');
    const { cliPath } = await import('../helpers/paths.js');
    // `true` exits before the CLI writes: every write meets EPIPE (before the fix: exit 70, "internal error")
    for (const args of ['--help', 'help backup']) {
      const out = execFileSync('bash', ['-c', `"$0" "$1" ${args} 2>&1 | true; echo "$\{PIPESTATUS[0]}"`, process.execPath, cliPath()], { encoding: 'utf8' });
      expect(out.trim(), args).toBe('0');
    }
  });
});
