/**
 * Pure: when the backup disk reaches the warning threshold and when it is full (issue 33).
 * One sentence (docs/monitoring.md): today's used space grows each night by the bytes the
 * recent nights added, less the bytes that left the mail store (which rotation frees once
 * retention.daily snapshots are kept), both means over the last 30 days with weights halving
 * every 7 days and a night that stands out (stats.ts) counted at the outlier bound; the range
 * is that net growth ± two standard errors.
 */
import type { Night } from './history.js';
import { outlierBound, twoStandardErrors, weightedMean } from './stats.js';

const FORECAST_WINDOW_DAYS = 30;
const HALF_LIFE_DAYS = 7;
const MIN_NIGHTS = 3;
const DAY = 86_400_000;

export interface ForecastInput {
  now: Date;
  usedBytes: number;
  freeBytes: number;
  /** notify.diskUsageWarnPercent */
  warnPercent: number;
  nights: Night[];
  retentionDaily: number;
  /** ok daily snapshots kept now: rotation frees nothing until retention.daily are kept */
  okDailies: number;
}

export interface Reach {
  /** days from now; 0 when already there; undefined when growth never gets there */
  days?: number;
  date?: string;
  /** the range at growth ± two standard errors: earliest, latest (undefined: not at that rate) */
  earliest?: string;
  latest?: string;
}

export type Forecast =
  | { status: 'insufficient'; nights: number; needed: number; reason: string }
  | {
      status: 'ok';
      nights: number;
      /** weighted means per night */
      addedPerNight: number;
      freedPerNight: number;
      netPerNight: number;
      /** two standard errors of netPerNight */
      netMargin: number;
      /** nights before rotation starts deleting */
      fillNights: number;
      warnPercent: number;
      warning: Reach;
      full: Reach;
    };

interface Sample {
  w: number;
  added: number;
  removed?: number;
}

/** A value above the bound counted at the bound: a one-off import is no rate. */
const capAt = (bound: number | undefined) => (v: number) => (bound === undefined ? v : Math.min(v, bound));

/** Days until used reaches target: `added` a night while retention fills, then `net`. */
function daysUntil(used: number, target: number, added: number, net: number, fillNights: number): number | undefined {
  const gap = target - used;
  if (gap <= 0) return 0;
  const fill = Math.max(0, added) * fillNights;
  if (added > 0 && gap <= fill) return gap / added;
  if (net <= 0) return undefined;
  return fillNights + (gap - fill) / net;
}

const dateIn = (now: Date, days: number | undefined) =>
  days === undefined || !Number.isFinite(days) || days > 36_500 ? undefined : new Date(now.getTime() + days * DAY).toISOString().slice(0, 10);

function reach(i: ForecastInput, target: number, added: number, net: number, m: number, fill: number): Reach {
  const days = daysUntil(i.usedBytes, target, added, net, fill);
  return {
    days,
    date: dateIn(i.now, days),
    earliest: dateIn(i.now, daysUntil(i.usedBytes, target, added + m, net + m, fill)),
    latest: dateIn(i.now, daysUntil(i.usedBytes, target, added - m, net - m, fill)),
  };
}

export function forecast(i: ForecastInput): Forecast {
  const since = i.now.getTime() - FORECAST_WINDOW_DAYS * DAY;
  const samples: Sample[] = i.nights
    .filter((n) => n.kind === 'daily' && n.status === 'ok' && n.incremental && n.addedBytes !== undefined)
    .filter((n) => Date.parse(n.finishedAt) > since && Date.parse(n.finishedAt) <= i.now.getTime())
    .map((n) => ({ w: 0.5 ** ((i.now.getTime() - Date.parse(n.finishedAt)) / DAY / HALF_LIFE_DAYS), added: n.addedBytes!, removed: n.removedBytes }));
  if (samples.length < MIN_NIGHTS) {
    return { status: 'insufficient', nights: samples.length, needed: MIN_NIGHTS, reason: `not enough data: ${samples.length} of ${MIN_NIGHTS} incremental nights in the last ${FORECAST_WINDOW_DAYS} days` };
  }
  const capAdded = capAt(outlierBound(samples.map((s) => s.added)));
  const withRemoved = samples.filter((s) => s.removed !== undefined);
  const capRemoved = capAt(outlierBound(withRemoved.map((s) => s.removed!)));
  const addedPerNight = weightedMean(samples.map((s) => ({ w: s.w, v: capAdded(s.added) })));
  const freedPerNight = weightedMean(withRemoved.map((s) => ({ w: s.w, v: capRemoved(s.removed!) })));
  const netPerNight = addedPerNight - freedPerNight;
  // the spread of net growth, from the nights whose removal is known when there are enough
  const netSamples = withRemoved.length >= MIN_NIGHTS ? withRemoved : samples;
  const netMargin = twoStandardErrors(netSamples.map((s) => ({ w: s.w, v: capAdded(s.added) - capRemoved(s.removed ?? 0) })));
  const fillNights = Math.max(0, i.retentionDaily - i.okDailies);
  const usable = i.usedBytes + i.freeBytes;
  return {
    status: 'ok',
    nights: samples.length,
    addedPerNight,
    freedPerNight,
    netPerNight,
    netMargin,
    fillNights,
    warnPercent: i.warnPercent,
    warning: reach(i, (usable * i.warnPercent) / 100, addedPerNight, netPerNight, netMargin, fillNights),
    full: reach(i, usable, addedPerNight, netPerNight, netMargin, fillNights),
  };
}
