import { describe, expect, it } from "@jest/globals";
import { quantile, summarize } from "./stats.js";

describe("latency statistics", () => {
  it("takes nearest-rank quantiles", () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([quantile(sorted, 0.5), quantile(sorted, 0.9), quantile(sorted, 0.99), quantile(sorted, 1)]).toEqual([50, 90, 99, 100]);
  });

  it("summarises an unsorted sample", () => {
    expect(summarize([3, 1, 2, 4])).toEqual({ count: 4, p50: 2, p90: 4, p99: 4, max: 4, mean: 2.5 });
  });

  it("gives NaN for an empty sample rather than inventing numbers", () => {
    expect(summarize([]).p50).toBeNaN();
  });
});
