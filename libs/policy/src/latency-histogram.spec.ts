import { describe, expect, it } from "@jest/globals";
import { LATENCY_BUCKETS_MS, LATENCY_BUCKET_COUNT, addBuckets, latencyBucketOf, latencyQuantile } from "./latency-histogram.js";

function histogramOf(latencies: readonly number[]): number[] {
  const buckets = new Array<number>(LATENCY_BUCKET_COUNT).fill(0);
  for (const ms of latencies) buckets[latencyBucketOf(ms)]! += 1;
  return buckets;
}

describe("the latency histogram", () => {
  it("has 80 rising bounds from 0.05 ms to over a minute, each 1.2 times the one before", () => {
    expect(LATENCY_BUCKETS_MS).toHaveLength(80);
    expect(LATENCY_BUCKETS_MS[0]).toBe(0.05);
    expect(LATENCY_BUCKETS_MS.at(-1)!).toBeGreaterThan(60_000);
    for (let i = 1; i < LATENCY_BUCKETS_MS.length; i++) expect(LATENCY_BUCKETS_MS[i]! / LATENCY_BUCKETS_MS[i - 1]!).toBeCloseTo(1.2, 4);
  });

  it("files a latency under the first bound at or above it, and what is above every bound in the last bucket", () => {
    expect(latencyBucketOf(0)).toBe(0);
    expect(latencyBucketOf(-3)).toBe(0);
    expect(latencyBucketOf(Number.NaN)).toBe(0);
    expect(latencyBucketOf(0.05)).toBe(0);
    expect(latencyBucketOf(0.0500001)).toBe(1);
    expect(latencyBucketOf(LATENCY_BUCKETS_MS[40]!)).toBe(40);
    expect(latencyBucketOf(10 * 60_000)).toBe(LATENCY_BUCKET_COUNT - 1);
  });

  it("reads percentiles within a bucket's width of the exact ones", () => {
    const latencies = Array.from({ length: 10_000 }, (_, i) => 0.5 + (i % 1000) * 0.05 + Math.floor(i / 1000) * 3);
    const sorted = [...latencies].sort((a, b) => a - b);
    const buckets = histogramOf(latencies);
    for (const q of [0.5, 0.95, 0.99]) {
      const exact = sorted[Math.ceil(q * sorted.length) - 1]!;
      const read = latencyQuantile(buckets, q);
      expect(Math.abs(read / exact - 1)).toBeLessThanOrEqual(0.2);
    }
  });

  it("reads 0 from an empty histogram, and adds histograms of different lengths bucket by bucket", () => {
    expect(latencyQuantile([], 0.5)).toBe(0);
    expect(latencyQuantile([0, 0, 0], 0.99)).toBe(0);
    const total = [1, 2];
    addBuckets(total, [0, 1, 0, 4]);
    expect(total).toEqual([1, 3, 0, 4]);
    expect(latencyQuantile(histogramOf([5, 5, 5, 5]), 0.5)).toBeGreaterThan(5 / 1.2);
    expect(latencyQuantile(histogramOf([5, 5, 5, 5]), 0.5)).toBeLessThanOrEqual(5 * 1.2);
  });
});
