/** Pure statistics shared by the charts and the forecast: one home for "a night that stands out". */

export function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Fewer values than this give no outlier bound: five nights are no baseline. */
const OUTLIER_MIN_VALUES = 5;

/**
 * Above this a value stands out: more than three robust standard deviations (1.4826 × the
 * median absolute deviation) above the median, and at least half as much again as the median.
 */
export function outlierBound(xs: number[]): number | undefined {
  const med = median(xs);
  if (med === undefined || xs.length < OUTLIER_MIN_VALUES) return undefined;
  const mad = median(xs.map((x) => Math.abs(x - med)))!;
  return med + Math.max(3 * 1.4826 * mad, 0.5 * Math.abs(med));
}

export interface Weighted {
  w: number;
  v: number;
}

export function weightedMean(xs: Weighted[]): number {
  const sw = xs.reduce((s, x) => s + x.w, 0);
  return sw === 0 ? 0 : xs.reduce((s, x) => s + x.w * x.v, 0) / sw;
}

/** Two standard errors of a weighted mean, with Kish's effective sample size (Σw)²/Σw². */
export function twoStandardErrors(xs: Weighted[]): number {
  const sw = xs.reduce((s, x) => s + x.w, 0);
  const sw2 = xs.reduce((s, x) => s + x.w * x.w, 0);
  if (xs.length < 2 || sw === 0) return 0;
  const mean = weightedMean(xs);
  const variance = xs.reduce((s, x) => s + x.w * (x.v - mean) ** 2, 0) / sw;
  return 2 * Math.sqrt(variance / ((sw * sw) / sw2));
}
