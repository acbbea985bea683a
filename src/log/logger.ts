/**
 * pino to three places: the JSON log file (30 days, for the admin and monitoring), readable
 * lines on stderr (terminal; only warnings and errors with --quiet, so cron mails only trouble),
 * and an in-memory copy of the run that becomes the snapshot's backup.log and the failure mail.
 * Secrets are redacted by key wherever they might be logged (invariant 7 of docs/invariants.md).
 */
import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pino, { type Logger, type Level } from 'pino';
import { formatRecord } from './format.js';

export type { Logger };

const REDACT = [
  'password',
  '*.password',
  'pass',
  '*.pass',
  'MYSQL_PWD',
  '*.MYSQL_PWD',
  'env.MYSQL_PWD',
  'auth.pass',
  'smtp.auth.pass',
  // one level deeper (pino has no recursive wildcard): { smtp: { auth: { pass } } }, { db: { env: { MYSQL_PWD } } }
  '*.*.password',
  '*.*.pass',
  '*.*.MYSQL_PWD',
];

export interface RunLog {
  log: Logger;
  runId: string;
  /** readable lines of this run so far (backup.log, failure mail) */
  lines: string[];
  /** path of the JSON log file, when one is written */
  file?: string;
}

export interface LoggerOptions {
  /** directory for the JSON log file; undefined = no file */
  dir?: string;
  level?: Level;
  quiet?: boolean;
  /** where readable lines go, one whole line a write; default stderr (in practice: the run's Progress, which keeps its live line below them) */
  human?: { write(line: string): unknown; isTTY?: boolean };
  /** suppress human output entirely (--json on stdout still wants stderr for trouble) */
  silent?: boolean;
}

export function logFileName(d = new Date()): string {
  return `mailbackup-${d.toISOString().slice(0, 10)}.log`;
}

class LineStream {
  constructor(
    private readonly sink: (line: string) => void,
    private readonly minLevel: number,
    private readonly withTime: boolean,
    /** the stderr stream (not the file or the backup.log copy) */
    private readonly human = false,
  ) {}
  write(chunk: string): void {
    for (const raw of chunk.split('\n')) {
      if (!raw) continue;
      const rec = JSON.parse(raw) as Record<string, unknown>;
      if ((rec.level as number) < this.minLevel) continue;
      // `terminal: false` records (the CLI's final error, printed once as "mailbackup: …") stay off the terminal
      if (rec.terminal === false && this.human) continue;
      const { terminal: _, ...shown } = rec;
      this.sink(formatRecord(shown, this.withTime));
    }
  }
}

export function createRunLog(opts: LoggerOptions = {}): RunLog {
  const runId = randomBytes(4).toString('hex');
  const lines: string[] = [];
  const level = opts.level ?? 'info';
  const levelValue = pino.levels.values[level];
  const streams: pino.StreamEntry[] = [
    { level, stream: new LineStream((l) => lines.push(l), levelValue, true) },
  ];
  if (!opts.silent) {
    const human = opts.human ?? process.stderr;
    const min = opts.quiet ? pino.levels.values.warn : levelValue;
    const tty = Boolean(human.isTTY);
    streams.push({ level: 'trace', stream: new LineStream((l) => human.write(l + '\n'), min, !tty, true) });
  }
  let file: string | undefined;
  if (opts.dir) {
    try {
      mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
      file = join(opts.dir, logFileName());
      const fd = openSync(file, 'a', 0o600);
      streams.push({ level, stream: pino.destination({ fd, sync: true }) });
    } catch (err) {
      // A missing log directory must not stop a backup; say so and go on.
      process.stderr.write(`mailbackup: cannot write log file in ${opts.dir}: ${(err as Error).message}\n`);
      file = undefined;
    }
  }
  const log = pino(
    { level: 'trace', base: { runId }, redact: { paths: REDACT, censor: '[redacted]' } },
    pino.multistream(streams),
  );
  return { log, runId, lines, file };
}
