/** The status report: what `status` prints, --json emits, --prometheus and --notify consume. */
import type { LockInfo } from '../repository/lock.js';
import type { LastRun } from '../repository/state.js';
import type { SmartSummary } from './smart.js';
import type { OffsiteRepoStatus } from './offsite.js';
import type { Forecast } from '../report/forecast.js';

export type StatusState = 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN';

export interface StatusProblem {
  /** stable identifier (notifications compare problems by key and state, not by message) */
  key: string;
  state: Exclude<StatusState, 'OK'>;
  message: string;
}

export interface DrillRecord {
  date: string;
  finishedAt: string;
  ok: boolean;
  file: string;
}

export interface StatusReport {
  state: StatusState;
  /** Nagios: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN */
  exitCode: 0 | 1 | 2 | 3;
  checkedAt: string;
  destination: string;
  problems: StatusProblem[];
  newestOk?: { id: string; finishedAt: string; ageHours: number };
  lastRun?: LastRun;
  disk?: {
    totalBytes: number;
    usedBytes: number;
    freeBytes: number;
    usedRatio: number;
    /** bytes added per day over the last 14 days, from backup.json totals.addedBytes */
    growthBytesPerDay?: number;
    daysUntilFull?: number;
  };
  /** when the disk reaches the warning threshold and is full (src/report/forecast.ts) */
  forecast?: Forecast;
  lock?: LockInfo & { stale: boolean; foreign?: boolean; ageHours: number };
  snapshots: {
    daily: { ok: number; failed: number };
    weekly: { ok: number; failed: number };
    retention: { daily: number; weekly: number };
    partial: string[];
    deleting: string[];
  };
  verification: {
    newest?: { id: string; at: string; level: string; ok: boolean };
    lastFull?: { id: string; at: string; ok: boolean };
    /** snapshots whose recorded verification failed */
    damaged: string[];
    /** rolling verification coverage (verify --rolling): the oldest slice re-read and what is overdue */
    rolling?: { days: number; oldestAt: string; ageDays: number; slicesRead: number; stale: number; damagedSlices: number };
  };
  drill?: DrillRecord & { ageDays: number };
  smart?: SmartSummary;
  /** one entry per configured offsite repository */
  offsite?: OffsiteRepoStatus[];
}

export const EXIT_FOR: Record<StatusState, 0 | 1 | 2 | 3> = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 };

/** Worst first: a CRITICAL beats a WARNING beats an UNKNOWN part. */
const RANK: Record<StatusState, number> = { OK: 0, UNKNOWN: 1, WARNING: 2, CRITICAL: 3 };

export function worst(states: StatusState[]): StatusState {
  return states.reduce<StatusState>((a, b) => (RANK[b] > RANK[a] ? b : a), 'OK');
}
