/**
 * Everything status looks at, read from metadata only: directory names, backup.json, .state,
 * .lock, drills/*.json, statfs. It never walks a snapshot tree, so it answers in well under a
 * second however large the snapshots are.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import { errorMessage } from '../errors.js';
import { diskUsage, type DiskUsage } from '../notify/disk.js';
import { lockVerdict, readLock, type LockInfo } from '../repository/lock.js';
import { checkedDestination } from '../repository/destination.js';
import type { Marker } from '../repository/marker.js';
import { layout } from '../repository/layout.js';
import { listLeftovers, listSnapshots, readLatest, type Snapshot } from '../repository/snapshots.js';
import { readRollingCoverage, type RollingCoverage } from '../repository/rolling.js';
import { readNewestLastBackup, type LastRun } from '../repository/state.js';
import { diskHealth, type DiskHealth } from '../repository/disk-health.js';
import type { DrillRecord } from './types.js';
import { collectOffsite, type OffsiteFacts } from './offsite.js';

export interface StatusFacts {
  now: Date;
  destination: string;
  /** set when the destination cannot be used; nothing else is read then */
  destinationError?: string;
  marker?: Marker;
  snapshots: Snapshot[];
  latest?: string;
  leftovers: { partial: string[]; deleting: string[] };
  lastRun?: LastRun;
  /** read-only, errors ext4 recorded (issue 29) */
  health?: DiskHealth;
  disk?: DiskUsage;
  diskError?: string;
  lock?: LockInfo & { stale: boolean; foreign?: boolean };
  drill?: DrillRecord;
  drillError?: string;
  rolling?: RollingCoverage;
  offsite?: OffsiteFacts;
}

/** The newest drill report: drills/<YYYY-MM-DD>.json, newest name first. */
function readNewestDrill(root: string): DrillRecord | undefined {
  let names: string[];
  try {
    names = readdirSync(layout.drills(root)).filter((n) => /^\d{4}-\d{2}-\d{2}.*\.json$/.test(n));
  } catch {
    return undefined;
  }
  const newest = names.sort().pop();
  if (!newest) return undefined;
  const file = join(layout.drills(root), newest);
  const d = JSON.parse(readFileSync(file, 'utf8')) as Partial<DrillRecord>;
  return { date: d.date ?? newest.slice(0, 10), finishedAt: d.finishedAt ?? `${newest.slice(0, 10)}T00:00:00Z`, ok: d.ok === true, file };
}

export function collectFacts(config: Config, now = new Date()): StatusFacts {
  const root = config.destination.root;
  const facts: StatusFacts = { now, destination: root, snapshots: [], leftovers: { partial: [], deleting: [] } };
  try {
    facts.marker = checkedDestination(config).marker;
  } catch (err) {
    facts.destinationError = errorMessage(err);
    facts.lastRun = readNewestLastBackup(undefined, config.log.dir);
    return facts;
  }
  facts.health = diskHealth(root);
  facts.snapshots = listSnapshots(root);
  facts.latest = readLatest(root);
  facts.leftovers = listLeftovers(root);
  facts.lastRun = readNewestLastBackup(root, config.log.dir);
  try {
    facts.disk = diskUsage(root);
  } catch (err) {
    facts.diskError = errorMessage(err);
  }
  facts.rolling = readRollingCoverage(root);
  const lock = readLock(root);
  const verdict = lock ? lockVerdict(lock) : undefined;
  if (lock) facts.lock = { ...lock, stale: verdict?.kind === 'stale', foreign: verdict?.kind === 'foreign' };
  try {
    facts.drill = readNewestDrill(root);
  } catch (err) {
    facts.drillError = errorMessage(err);
  }
  facts.offsite = collectOffsite(config, root);
  return facts;
}
