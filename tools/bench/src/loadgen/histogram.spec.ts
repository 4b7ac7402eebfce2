import { describe, expect, it } from "@jest/globals";
import { createHistogram, percentilesUs } from "./histogram.js";

describe("createHistogram", () => {
  it("keeps values below 2^precision exactly", () => {
    const h = createHistogram(7);
    for (let v = 0; v < 128; v++) h.record(v);
    expect([h.valueAt(0), h.valueAt(0.5), h.valueAt(1)]).toEqual([0, 63, 127]);
    expect(h.count).toBe(128);
  });

  it("reports every larger value within 1/2^precision above it, never below", () => {
    const h = createHistogram(7);
    for (const v of [129, 1000, 123_456, 9_876_543, 2 ** 40 + 12_345]) {
      h.record(v);
      const reported = h.valueAt(1);
      expect(reported).toBeGreaterThanOrEqual(v);
      expect((reported - v) / v).toBeLessThanOrEqual(1 / 128);
    }
  });

  it("finds nearest-rank percentiles of a uniform sample to within its precision", () => {
    const h = createHistogram();
    for (let v = 1; v <= 100_000; v++) h.record(v * 10);
    for (const [q, exact] of [
      [0.5, 500_000],
      [0.9, 900_000],
      [0.99, 990_000],
      [0.999, 999_000],
    ] as const) {
      expect(Math.abs(h.valueAt(q) - exact) / exact).toBeLessThan(0.008);
    }
    expect(h.valueAt(1)).toBe(1_000_000);
    expect(h.mean).toBeCloseTo(500_005, 0);
  });

  it("never reports a percentile above the largest or below the smallest value recorded", () => {
    const h = createHistogram();
    h.record(1_000_001);
    expect(h.valueAt(0.5)).toBe(1_000_001);
    expect(h.valueAt(0)).toBe(1_000_001);
  });

  it("rounds fractions and counts negative values as zero", () => {
    const h = createHistogram();
    h.record(-5);
    h.record(2.6);
    expect([h.min, h.max]).toEqual([0, 3]);
  });

  it("gives NaN, not invented numbers, when empty", () => {
    const h = createHistogram();
    expect([h.valueAt(0.5), h.min, h.max, h.mean]).toEqual([NaN, NaN, NaN, NaN]);
  });

  it("merges another histogram as if its values had been recorded here", () => {
    const a = createHistogram();
    const b = createHistogram();
    const both = createHistogram();
    for (let v = 0; v < 5000; v++) {
      (v % 3 === 0 ? a : b).record(v * 37);
      both.record(v * 37);
    }
    a.merge(b);
    expect([a.count, a.min, a.max, a.valueAt(0.5), a.valueAt(0.99)]).toEqual([both.count, both.min, both.max, both.valueAt(0.5), both.valueAt(0.99)]);
    expect(a.mean).toBeCloseTo(both.mean, 6);
  });

  it("refuses a precision it cannot honour", () => {
    expect(() => createHistogram(0)).toThrow(RangeError);
    expect(() => createHistogram(17)).toThrow(RangeError);
  });
});

describe("percentilesUs", () => {
  it("converts nanoseconds to microseconds", () => {
    const h = createHistogram();
    h.record(100);
    h.record(120);
    expect(percentilesUs(h)).toEqual({ count: 2, min: 0.1, mean: 0.11, p50: 0.1, p90: 0.12, p99: 0.12, p999: 0.12, max: 0.12 });
  });
});
