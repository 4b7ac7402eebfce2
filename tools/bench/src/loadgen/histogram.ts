/**
 * Latency percentiles of one run, in microseconds. `p999` is the 99.9th percentile. Percentiles are the upper
 * edge of the histogram bucket holding the nearest-rank sample (never above `max`), so they err on the slow side
 * by less than 1 %.
 */
export interface LatencyPercentiles {
  readonly count: number;
  readonly min: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** A histogram of non-negative integer values (the load generator records nanoseconds). */
export interface Histogram {
  /** Adds one value; negative values count as 0, fractions are rounded. */
  record(value: number): void;
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  /** The value at quantile `q` (0..1) by nearest rank; NaN when empty. */
  valueAt(q: number): number;
  /** Adds every value of `other` (same precision) to this one. */
  merge(other: Histogram): void;
  /** Non-empty buckets as `[bucket index, count]` pairs, for {@link Histogram.merge}. */
  buckets(): Iterable<readonly [number, number]>;
}

/**
 * Creates a log-linear histogram in the style of HdrHistogram: values below 2^`precisionBits` are kept
 * exactly; above, each power-of-two range is split into 2^`precisionBits` equal buckets, so a reported value is
 * within 2^-`precisionBits` (0.8 % at the default 7) of the true one. Memory grows with the range, not with the
 * number of samples (a few thousand buckets for nanoseconds up to hours), so it can record every request of an
 * open-model run without allocating per sample.
 */
export function createHistogram(precisionBits = 7): Histogram {
  if (!Number.isInteger(precisionBits) || precisionBits < 1 || precisionBits > 16) {
    throw new RangeError(`precisionBits must be an integer in 1..16, got ${precisionBits}`);
  }
  const sub = 2 ** precisionBits;
  const counts = new Map<number, number>();
  let count = 0;
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;

  const indexOf = (value: number): number => {
    if (value < sub) return value;
    let exponent = Math.floor(Math.log2(value));
    if (2 ** exponent > value) exponent -= 1;
    if (2 ** (exponent + 1) <= value) exponent += 1;
    const shift = exponent - precisionBits;
    const mantissa = Math.floor(value / 2 ** shift);
    return sub + shift * sub + (mantissa - sub);
  };
  /** The largest value that falls into bucket `index`. */
  const upperOf = (index: number): number => {
    if (index < sub) return index;
    const shift = Math.floor((index - sub) / sub);
    const mantissa = sub + ((index - sub) % sub);
    return (mantissa + 1) * 2 ** shift - 1;
  };
  const add = (index: number, n: number): void => {
    counts.set(index, (counts.get(index) ?? 0) + n);
  };

  const histogram: Histogram = {
    record(raw) {
      const value = Math.max(0, Math.round(raw));
      add(indexOf(value), 1);
      count += 1;
      sum += value;
      if (value < min) min = value;
      if (value > max) max = value;
    },
    get count() {
      return count;
    },
    get min() {
      return count === 0 ? Number.NaN : min;
    },
    get max() {
      return count === 0 ? Number.NaN : max;
    },
    get mean() {
      return count === 0 ? Number.NaN : sum / count;
    },
    valueAt(q) {
      if (count === 0) return Number.NaN;
      const rank = Math.min(count, Math.max(1, Math.ceil(q * count)));
      const indexes = [...counts.keys()].sort((a, b) => a - b);
      let seen = 0;
      for (const index of indexes) {
        seen += counts.get(index) ?? 0;
        if (seen >= rank) return Math.max(min, Math.min(max, upperOf(index)));
      }
      return max;
    },
    merge(other) {
      for (const [index, n] of other.buckets()) add(index, n);
      if (other.count > 0) {
        count += other.count;
        sum += other.mean * other.count;
        min = Math.min(min, other.min);
        max = Math.max(max, other.max);
      }
    },
    buckets() {
      return counts.entries();
    },
  };
  return histogram;
}

/** The percentiles of a histogram of nanoseconds, converted to microseconds. */
export function percentilesUs(histogram: Histogram): LatencyPercentiles {
  const us = (ns: number): number => ns / 1000;
  return {
    count: histogram.count,
    min: us(histogram.min),
    mean: us(histogram.mean),
    p50: us(histogram.valueAt(0.5)),
    p90: us(histogram.valueAt(0.9)),
    p99: us(histogram.valueAt(0.99)),
    p999: us(histogram.valueAt(0.999)),
    max: us(histogram.max),
  };
}
