/**
 * A report model over a generated history (40 nights, 30 kept: a 40 GB night, an hour-long
 * night, a failed night, a night with a warning, two runs that made no snapshot), as of
 * 2026-12-10T04:00Z, for the model and renderer tests.
 */
import { parseConfig } from '../../src/config/load.js';
import { nightsOf } from '../../src/report/history.js';
import { buildReportModel, type ReportModel } from '../../src/report/model.js';
import type { Snapshot } from '../../src/repository/snapshots.js';
import { evaluateStatus } from '../../src/status/evaluate.js';
import { historyNights, metaOf } from './history.js';

const NOW = new Date('2026-12-10T04:00:00Z');
const GB = 1e9;

export function sampleModel(): ReportModel {
  const hist = historyNights({
    endAt: '2026-12-10T03:00:00Z', nights: 40, startBytes: 100 * GB, added: (k) => (k === 36 ? 40 * GB : 2 * GB), removed: () => GB,
    minutes: (k) => (k === 33 ? 60 : 10), failed: [38],
  }).slice(-30);
  hist[hist.length - 3].warnings = ['mail: 3 names vanished before they were copied'];
  const snapshots: Snapshot[] = hist.map((n) => ({ kind: 'daily', date: n.date, id: `daily/${n.date}`, dir: `/b/daily/${n.date}`, meta: metaOf(n) }));
  const config = parseConfig({ source: { root: '/s' }, destination: { root: '/b' }, database: { enabled: false } });
  const status = evaluateStatus({
    now: NOW, destination: '/b', marker: { format: 1, createdAt: '2026-11-20T00:00:00Z' }, snapshots, leftovers: { partial: [], deleting: [] },
    disk: { usedPercent: 56, totalBytes: 3600 * GB, usedBytes: 2000 * GB, freeBytes: 1600 * GB },
  }, config);
  return buildReportModel({
    now: NOW, host: 'mail01', days: 7, status, nights: nightsOf(snapshots),
    logRuns: [
      { runId: 'x', command: 'backup --weekly', startedAt: '2026-12-06T04:00:00.000Z', finishedAt: '2026-12-06T04:00:01.000Z', exitCode: 75 },
      { runId: 'y', command: 'backup', startedAt: '2026-12-01T03:00:00.000Z', finishedAt: '2026-12-01T03:00:01.000Z', exitCode: 2, error: 'too old' },
    ],
  });
}

