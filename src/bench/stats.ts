/**
 * Small statistics for the harness: percentiles, medians, a bounded sample.
 */

/** The median of `values` (0 for an empty list). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The `p`-th percentile (0–100) of an ascending list, nearest-rank (0 for an empty list). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** `count` values spread evenly over an ascending list (all of it when shorter). */
export function thin(sorted: readonly number[], count: number): number[] {
  if (sorted.length <= count) return [...sorted];
  const out: number[] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = sorted[Math.floor((i * (sorted.length - 1)) / (count - 1))]!;
  return out;
}

/** Round to microseconds, so results stay readable when printed as JSON. */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
