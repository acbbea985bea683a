/**
 * `npm run bench` at the tiny size, as CI runs it: every benchmark target's row is measured, the table and
 * the JSON have their shape, nothing is written to docs/ with --no-write, the generated tree is
 * removed. No time is asserted anywhere; the byte figures are (they do not depend on speed).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/paths.js';
// @ts-expect-error plain .mjs module without type declarations
import { evaluateRow, textTable } from '../../scripts/bench/evaluate.mjs';
// @ts-expect-error plain .mjs module without type declarations
import { markdown } from '../../scripts/bench/report.mjs';
// @ts-expect-error plain .mjs module without type declarations
import { createRunner } from '../../scripts/bench/runner.mjs';

interface Row {
  id: string;
  what: string;
  mailbackup: { median: number; samples: number[] };
  baseline?: { name: string; median: number };
  ratio?: number;
  pass: boolean | null;
}

const dir = mkdtempSync(join(tmpdir(), 'mb-bench-smoke-'));
const jsonPath = join(dir, 'result.json');
const docsPath = join(repoRoot(), 'docs', 'benchmarks.md');
const docsBefore = existsSync(docsPath) ? statSync(docsPath).mtimeMs : undefined;
let run: { status: number | null; stdout: string; stderr: string };
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the bench's JSON, read field by field as the tests need
let result: Record<string, any>;

// Asynchronous on purpose: a blocking spawnSync would starve vitest's worker RPC for a minute.
function runBench(args: string[]): Promise<typeof run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/bench.mjs', ...args], { cwd: repoRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

beforeAll(async () => {
  run = await runBench(['--size', 'tiny', '--runs', '1', '--no-write', '--dir', dir, '--out', jsonPath]);
  if (run.status !== 0) throw new Error(`bench exited ${run.status}:\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`);
  result = JSON.parse(readFileSync(jsonPath, 'utf8'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run bench -- --size tiny --runs 1 --no-write', () => {
  it('measures every comparison of the benchmark targets and gives each a verdict', () => {
    const rows = result.rows as Row[];
    const ids = rows.map((r) => r.id);
    for (const id of ['full', 'incremental', 'incremental-rsnapshot', 'incremental-restic', 'added-bytes', 'verify-full', 'verify-daily', 'delete', 'restore-all', 'status', 'list', 'read-only-day', 'rss-backup', 'rss-verify', 'rss-status']) {
      expect(ids).toContain(id);
    }
    for (const r of rows) {
      expect(r.mailbackup.samples.length).toBeGreaterThan(0);
      expect(Number.isFinite(r.mailbackup.median)).toBe(true);
      expect([true, false, null]).toContain(r.pass);
      if (r.baseline && r.baseline.median > 0) expect(r.ratio).toBeCloseTo(r.mailbackup.median / r.baseline.median, 6);
    }
    expect(result.info.snapshotsForStatus).toBe(42);
  });

  it('prints the table with ratios and verdicts', () => {
    const out = run.stdout;
    expect(out).toMatch(/measure\s+mailbackup\s+baseline\s+ratio\s+target\s+verdict/);
    expect(out).toMatch(/first full backup .* rsync -a: .* (PASS|FAIL)/);
    expect(out).toMatch(/status over 42 snapshots/);
  });

  it('records the machine, the tree and the exact command', () => {
    expect(result.command).toBe('npm run bench -- --size tiny --runs 1 --no-write --dir ' + dir + ' --out ' + jsonPath);
    expect(result.machine.nproc).toBeGreaterThan(0);
    expect(result.machine.tools.rsync).toMatch(/^version \d+\.\d+/);
    expect(result.code.commit).toMatch(/^[0-9a-f]{7,}$/);
    expect(result.tree.messages).toBeGreaterThan(50);
    expect(result.tree.files).toBeGreaterThan(result.tree.messages);
  });

  it('a day of only flag changes adds no message bytes with mailbackup, all of them with rsync --link-dest', () => {
    const d = result.readOnlyDay;
    expect(d.messages).toBeGreaterThan(0);
    expect(d.mailbackup.messageBytes).toBeLessThan(d.readBytes * 0.01);
    expect(d.rsync.messageBytes).toBe(d.readBytes);
  });

  it('writes nothing to docs/ with --no-write and removes its tree', () => {
    expect(existsSync(docsPath) ? statSync(docsPath).mtimeMs : undefined).toBe(docsBefore);
    expect(readdirSync(dir)).toEqual(['result.json']);
  });

  it('records the CPU seconds of every timed command beside its wall time, and renders them', () => {
    const timed = (result.rows as (Row & { unit?: string; mailbackup: { cpuMedian?: number }; baseline?: { median: number; cpuMedian?: number } })[])
      .filter((r) => r.unit === undefined && !r.id.startsWith('rss-'));
    expect(timed.length).toBeGreaterThan(10);
    // a process tree uses at most every core for its wall time (+ the 0.01 s the figures are rounded to)
    const cores = result.machine.nproc as number;
    for (const r of timed) {
      expect(r.mailbackup.cpuMedian, r.id).toBeGreaterThan(0); // a node process never runs on no CPU
      expect(r.mailbackup.cpuMedian!, r.id).toBeLessThanOrEqual(r.mailbackup.median * cores + 0.01);
      if (!r.baseline) continue;
      // a baseline may be a tool too quick to show 0.01 s on the tiny tree, but it is measured, finite and bounded
      expect(Number.isFinite(r.baseline.cpuMedian), `${r.id}: ${r.baseline.cpuMedian}`).toBe(true);
      expect(r.baseline.cpuMedian!, r.id).toBeGreaterThanOrEqual(0);
      expect(r.baseline.cpuMedian!, r.id).toBeLessThanOrEqual(r.baseline.median * cores + 0.01);
    }
    // the heaviest baseline, rsync -a copying the whole tree, does use CPU
    expect(timed.find((r) => r.id === 'full')?.baseline?.cpuMedian).toBeGreaterThan(0);
    expect(markdown(result)).toMatch(/## CPU time .*\n\n- first full backup: mailbackup [\d.]+ s CPU in [\d.]+ s \([\d.]+ cores\); rsync -a /);
  });

  it('renders the markdown from the JSON alone', () => {
    const md: string = markdown(result);
    expect(md).toContain('GENERATED by `npm run bench`');
    expect(md).toContain(result.command);
    for (const r of result.rows as Row[]) expect(md).toContain(`| ${r.what.replace(/\|/g, '\\|')} |`);
  });
});

describe('verdicts', () => {
  it('a ratio target passes at or under its bound, a strict one only under it', () => {
    const row = (mb: number, base: number, target: object) => evaluateRow({ what: 'x', mailbackup: { median: mb, samples: [mb] }, baseline: { name: 'b', median: base }, target });
    expect(row(1.1, 1, { max: 1.1 }).pass).toBe(true);
    expect(row(1.2, 1, { max: 1.1 }).pass).toBe(false);
    expect(row(1, 1, { max: 1, strict: true }).pass).toBe(false);
    expect(row(0.5, 0, { text: 'info' }).pass).toBe(null);
    expect(textTable([row(2, 1, { max: 1.1, text: '≤ 1.1 ×' })])).toMatch(/2\.00 ×\s+≤ 1\.1 ×\s+FAIL/);
  });
});

describe('repetitions', () => {
  it('warm up once, untimed, then start each repetition with the next tool', async () => {
    const order: string[] = [];
    const r = createRunner({ logDir: dir }, { runs: 3 }, () => {});
    const step = (name: string) => async () => {
      order.push(name);
      return { ms: 1000, cpuS: 0.5 };
    };
    const times = await r.repeat({ a: step('a'), b: step('b'), c: step('c') }, undefined, { warmup: async () => order.push('warmup') });
    expect(order).toEqual(['warmup', 'a', 'b', 'c', 'b', 'c', 'a', 'c', 'a', 'b']);
    expect(times.a).toEqual({ median: 1, samples: [1, 1, 1], cpuMedian: 0.5, cpuSamples: [0.5, 0.5, 0.5] });
  });
});
