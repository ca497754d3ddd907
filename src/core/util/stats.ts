// The one percentile, for the benchmarks and the editor measurements.

/** The value at fraction `p` (0..1) of an ascending list, by the floor of (n-1)·p; 0 for an empty list. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor((sorted.length - 1) * p)))];
}
