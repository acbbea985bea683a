/** A failed backup's RunReport (a usermgmt dump failure), for the notification tests. */
import type { RunReport } from '../../src/notify/index.js';

export function failedRunReport(over: Partial<RunReport> = {}): RunReport {
  return {
    command: 'backup',
    host: 'mail01',
    exitCode: 2,
    failures: [{ step: 'databases', error: 'usermgmt dump exited 2' }],
    warnings: [],
    snapshot: 'daily/2026-11-28',
    latest: { id: 'daily/2026-11-27', finishedAt: '2026-11-27T03:20:00Z' },
    logLines: Array.from({ length: 80 }, (_, i) => `line ${i + 1}`),
    destinationRoot: '/mnt/backup-hdd/mailserver',
    startedAt: '2026-11-28T03:00:00Z',
    finishedAt: '2026-11-28T03:25:00Z',
    ...over,
  };
}
