import { describe, expect, it } from "@jest/globals";
import { medianOfRepetitions, quantile, summarise, timeInBlocks } from "./block-timing.js";
import { renderEvaluatorMarkdown } from "./evaluator-report.js";

describe("block timing", () => {
  it("takes the nearest-rank quantile", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(quantile(values, 0.5)).toBe(50);
    expect(quantile(values, 0.99)).toBe(99);
    expect(() => quantile([], 0.5)).toThrow("quantile of no values");
  });

  it("makes every call of the warm-up and the blocks, one sample per block", () => {
    let calls = 0;
    const timing = timeInBlocks(
      () => {
        calls++;
        return "ab";
      },
      { warmupCalls: 5, blocks: 3, blockSize: 4 },
    );
    expect(calls).toBe(17);
    expect(timing.blockMeansNs).toHaveLength(3);
    expect(timing.checksum).toBe(34);
  });

  it("summarises block means in microseconds and takes each figure's median over repetitions", () => {
    expect(summarise({ blockMeansNs: [2000, 4000], callsPerSecond: 300_000 })).toEqual({ callsPerSecond: 300_000, p50Us: 2, p99Us: 4 });
    const repetitions = [1, 3, 2].map((n) => ({ callsPerSecond: n, p50Us: n * 10, p99Us: 4 - n }));
    expect(medianOfRepetitions(repetitions)).toEqual({ callsPerSecond: 2, p50Us: 20, p99Us: 2 });
  });
});

describe("the evaluator report", () => {
  it("says of each variant whether it meets its targets, and by how much a figure misses", () => {
    const markdown = renderEvaluatorMarkdown(
      [
        { variant: "rule last, explained (Explain)", median: { callsPerSecond: 50_000, p50Us: 18, p99Us: 30 }, repetitions: [] },
        { variant: "rule first, decision only (Infer)", median: { callsPerSecond: 250_000, p50Us: 4, p99Us: 6 }, repetitions: [] },
      ],
      { command: "node x", machine: "m", date: "d", blocks: 100, blockSize: 100, repetitions: 5 },
    );
    expect(markdown).toContain("| rule last, explained (Explain) | 50,000 (misses: 4.0× too few) | 18.00 | 30.00 (misses: 1.5× too long) |");
    expect(markdown).toContain("| rule first, decision only (Infer) | 250,000 (meets) | 4.00 | 6.00 (meets) |");
  });
});
