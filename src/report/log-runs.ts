/**
 * Backup runs that made no snapshot (stopped in preflight, lock held, disk missing) are only in
 * the run log: read the JSON log files of the period (mailbackup-YYYY-MM-DD.log in log.dir) for
 * them. Runs that made a snapshot are told by its backup.json instead.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LogRun {
  runId: string;
  command: string;
  startedAt: string;
  finishedAt: string;
  exitCode: number;
  error?: string;
}

const LOG_RE = /^mailbackup-(\d{4}-\d{2}-\d{2})\.log$/;

interface Rec {
  runId?: string;
  time?: number;
  msg?: string;
  command?: string;
  argv?: string[];
  exitCode?: number;
  status?: string;
  err?: string;
}

/** Pure: the not-run backups among a log's JSON lines. */
export function notRunBackups(lines: string[]): LogRun[] {
  const starts = new Map<string, Rec>();
  const errors = new Map<string, string>();
  const out: LogRun[] = [];
  for (const line of lines) {
    // parse only the three kinds of record this needs: a debug log has many more
    if (!/"msg":"(start|backup stopped|backup finished)/.test(line)) continue;
    let r: Rec;
    try {
      r = JSON.parse(line) as Rec;
    } catch {
      continue; // a line cut by a crash
    }
    if (!r.runId) continue;
    if (r.msg === 'start') starts.set(r.runId, r);
    else if (r.msg === 'backup stopped' && r.err) errors.set(r.runId, r.err);
    else if (r.msg?.startsWith('backup finished') && r.status === 'not-run') {
      const s = starts.get(r.runId);
      out.push({
        runId: r.runId,
        command: s?.argv?.includes('--weekly') ? 'backup --weekly' : 'backup',
        startedAt: new Date(s?.time ?? r.time ?? 0).toISOString(),
        finishedAt: new Date(r.time ?? 0).toISOString(),
        exitCode: r.exitCode ?? 2,
        error: errors.get(r.runId),
      });
    }
  }
  return out;
}

/** The not-run backups logged since `since`; an unreadable log dir gives none. */
export function readNotRunBackups(dir: string, since: Date): LogRun[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const from = since.toISOString().slice(0, 10);
  const out: LogRun[] = [];
  for (const name of names.sort()) {
    const m = LOG_RE.exec(name);
    if (!m || m[1] < from) continue;
    try {
      out.push(...notRunBackups(readFileSync(join(dir, name), 'utf8').split('\n')));
    } catch {
      /* unreadable log file: the report goes on without it */
    }
  }
  return out.filter((r) => Date.parse(r.startedAt) >= since.getTime());
}
