/** Backup runs that made no snapshot, found in the JSON run log. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { notRunBackups, readNotRunBackups } from '../../../src/report/log-runs.js';

const rec = (o: Record<string, unknown>) => JSON.stringify({ level: 30, ...o });
const t = (iso: string) => Date.parse(iso);

const lines = [
  rec({ runId: 'a', time: t('2026-12-02T03:00:00Z'), command: 'backup', argv: ['backup'], msg: 'start' }),
  rec({ runId: 'a', time: t('2026-12-02T03:00:01Z'), level: 50, err: 'no .mailbackup marker in /mnt/backup: is the disk mounted?', exitCode: 2, msg: 'backup stopped' }),
  rec({ runId: 'a', time: t('2026-12-02T03:00:02Z'), exitCode: 2, status: 'not-run', msg: 'backup finished: failed (exit 2)' }),
  rec({ runId: 'b', time: t('2026-12-03T03:00:00Z'), command: 'backup', argv: ['backup'], msg: 'start' }),
  rec({ runId: 'b', time: t('2026-12-03T03:05:00Z'), exitCode: 0, status: 'ok', msg: 'backup finished: ok' }),
  rec({ runId: 'c', time: t('2026-12-06T04:00:00Z'), command: 'backup', argv: ['--quiet', 'backup', '--weekly'], msg: 'start' }),
  rec({ runId: 'c', time: t('2026-12-06T04:00:01Z'), exitCode: 75, status: 'not-run', msg: 'backup finished: failed (exit 75)' }),
  '{"runId":"d","msg":"backup fin', // cut by a crash
];

describe('notRunBackups', () => {
  it('finds the runs that made no snapshot, with their error and kind', () => {
    expect(notRunBackups(lines)).toEqual([
      { runId: 'a', command: 'backup', startedAt: '2026-12-02T03:00:00.000Z', finishedAt: '2026-12-02T03:00:02.000Z', exitCode: 2, error: 'no .mailbackup marker in /mnt/backup: is the disk mounted?' },
      { runId: 'c', command: 'backup --weekly', startedAt: '2026-12-06T04:00:00.000Z', finishedAt: '2026-12-06T04:00:01.000Z', exitCode: 75, error: undefined },
    ]);
  });

  it('reads the log files of the period only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mb-logruns-'));
    try {
      writeFileSync(join(dir, 'mailbackup-2026-12-02.log'), lines.slice(0, 5).join('\n'));
      writeFileSync(join(dir, 'mailbackup-2026-12-06.log'), lines.slice(5).join('\n'));
      writeFileSync(join(dir, 'other.log'), lines.join('\n'));
      expect(readNotRunBackups(dir, new Date('2026-12-01T00:00:00Z')).map((r) => r.runId)).toEqual(['a', 'c']);
      expect(readNotRunBackups(dir, new Date('2026-12-04T00:00:00Z')).map((r) => r.runId)).toEqual(['c']);
      expect(readNotRunBackups(join(dir, 'missing'), new Date(0))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
