/**
 * The upper bounds, in milliseconds, of the latency histogram that routers report and the registry adds up:
 * 0.05 ms × 1.2^i for i = 0 … 79 (about 0.05 ms to 90 s), so a percentile read from it is within one bucket's
 * 20 % width of the truth. A latency above the last bound goes to one more, open-ended bucket.
 */
export const LATENCY_BUCKETS_MS: readonly number[] = Object.freeze(Array.from({ length: 80 }, (_, i) => Number((0.05 * 1.2 ** i).toPrecision(6))));

/** How many buckets a histogram has: one per bound and the open-ended one. */
export const LATENCY_BUCKET_COUNT = LATENCY_BUCKETS_MS.length + 1;

/** The index of the bucket a latency falls in: the first whose bound is ≥ it, or the open-ended last one. */
export function latencyBucketOf(ms: number): number {
  if (!(ms > LATENCY_BUCKETS_MS[0]!)) return 0;
  let low = 0;
  let high = LATENCY_BUCKETS_MS.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (LATENCY_BUCKETS_MS[mid]! >= ms) high = mid;
    else low = mid + 1;
  }
  return low;
}

/** Adds `from`'s counts into `into` (which grows to `from`'s length when shorter). */
export function addBuckets(into: number[], from: readonly number[]): void {
  for (let i = 0; i < from.length; i++) into[i] = (into[i] ?? 0) + (from[i] ?? 0);
}

/**
 * The `q` quantile (0 < q ≤ 1) of the latencies counted in `buckets`, in ms: interpolated linearly within the
 * bucket it falls in (from the bucket's lower bound to its upper bound; the open-ended bucket reads as its lower
 * bound). 0 for an empty histogram.
 */
export function latencyQuantile(buckets: readonly number[], q: number): number {
  let total = 0;
  for (const count of buckets) total += count;
  if (total === 0) return 0;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    const count = buckets[i] ?? 0;
    if (count === 0) continue;
    if (seen + count >= rank) {
      const lower = i === 0 ? 0 : LATENCY_BUCKETS_MS[i - 1]!;
      const upper = LATENCY_BUCKETS_MS[i] ?? lower;
      return lower + (upper - lower) * Math.min(1, Math.max(0, (rank - seen) / count));
    }
    seen += count;
  }
  return LATENCY_BUCKETS_MS.at(-1)!;
}
