/**
 * The drill's record: timed phases and named checks, as data. drills/<date>.json is read by
 * `status` (date, finishedAt, ok of the newest file); the .md is for people. Pure but for write.
 */
import { join } from 'node:path';
import { makeDir, writeFileAtomic, writeJsonAtomic } from '../repository/atomic.js';
import { layout } from '../repository/layout.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface DrillCheck {
  /** short stable name, e.g. "manifest", "database usermgmt", "certificate example.com" */
  name: string;
  status: CheckStatus;
  detail: string;
}

export interface DrillPhase {
  name: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  ok: boolean;
  error?: string;
}

export interface DrillReport {
  format: 1;
  date: string;
  startedAt: string;
  finishedAt: string;
  ok: boolean;
  snapshot: string;
  host: string;
  workdir: string;
  kept: boolean;
  phases: DrillPhase[];
  checks: DrillCheck[];
  rto: { mailDbMs: number; totalMs: number; targetMailDbHours: number; targetTotalHours: number };
}

/** Runs one phase, recording its time whatever happens; the error is rethrown to the caller. */
export async function timed<T>(phases: DrillPhase[], name: string, fn: () => Promise<T>): Promise<T> {
  const start = new Date();
  const t0 = performance.now();
  const record = (ok: boolean, error?: string) =>
    phases.push({ name, startedAt: start.toISOString(), finishedAt: new Date().toISOString(), durationMs: Math.round(performance.now() - t0), ok, ...(error ? { error } : {}) });
  try {
    const r = await fn();
    record(true);
    return r;
  } catch (err) {
    record(false, (err as Error).message);
    throw err;
  }
}

const RESTORE_PHASE = /^(restore|database) /;
const MAIL_DB_PHASE = /^(restore mail|database )/;

/** Measured RTO: the time spent putting data back (not checking it). */
export function measureRto(phases: DrillPhase[]): { mailDbMs: number; totalMs: number } {
  const sum = (re: RegExp) => phases.filter((p) => re.test(p.name)).reduce((n, p) => n + p.durationMs, 0);
  return { mailDbMs: sum(MAIL_DB_PHASE), totalMs: sum(RESTORE_PHASE) };
}

export function rtoChecks(rto: { mailDbMs: number; totalMs: number }, mailDbHours: number, totalHours: number): DrillCheck[] {
  const h = (ms: number) => `${(ms / 3_600_000).toFixed(2)} h (${(ms / 1000).toFixed(1)} s)`;
  return [
    { name: 'RTO mail+databases', status: rto.mailDbMs <= mailDbHours * 3_600_000 ? 'ok' : 'fail', detail: `${h(rto.mailDbMs)}, target ${mailDbHours} h` },
    { name: 'RTO total', status: rto.totalMs <= totalHours * 3_600_000 ? 'ok' : 'fail', detail: `${h(rto.totalMs)}, target ${totalHours} h` },
  ];
}

export const failedChecks = (checks: DrillCheck[]) => checks.filter((c) => c.status === 'fail');
export const warnChecks = (checks: DrillCheck[]) => checks.filter((c) => c.status === 'warn');

export function renderMarkdown(r: DrillReport): string {
  const mark = { ok: '✔ ok', warn: '⚠ warning', fail: '✘ FAILED' } as const;
  const secs = (ms: number) => (ms / 1000).toFixed(1);
  return [
    `# Recovery drill ${r.date}: ${r.ok ? 'PASSED' : 'FAILED'}`,
    '',
    `- snapshot: ${r.snapshot}`,
    `- host: ${r.host}`,
    `- started: ${r.startedAt}`,
    `- finished: ${r.finishedAt}`,
    `- scratch: ${r.workdir}${r.kept ? ' (kept)' : ' (removed)'}`,
    `- measured RTO: mail+databases ${secs(r.rto.mailDbMs)} s (target ${r.rto.targetMailDbHours} h), everything ${secs(r.rto.totalMs)} s (target ${r.rto.targetTotalHours} h)`,
    '',
    '## Phases',
    '',
    '| phase | seconds | result |',
    '|---|---:|---|',
    ...r.phases.map((p) => `| ${p.name} | ${secs(p.durationMs)} | ${p.ok ? 'ok' : `failed: ${p.error ?? ''}`} |`),
    '',
    '## Checks',
    '',
    '| check | result | detail |',
    '|---|---|---|',
    ...r.checks.map((c) => `| ${c.name} | ${mark[c.status]} | ${c.detail.replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`),
    '',
  ].join('\n');
}

export function writeReport(destRoot: string, r: DrillReport): { json: string; md: string } {
  const dir = layout.drills(destRoot);
  makeDir(dir);
  const json = join(dir, `${r.date}.json`);
  const md = join(dir, `${r.date}.md`);
  writeFileAtomic(md, renderMarkdown(r), 0o600);
  writeJsonAtomic(json, r, 0o600);
  return { json, md };
}
