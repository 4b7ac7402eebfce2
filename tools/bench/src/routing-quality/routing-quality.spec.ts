import { describe, expect, it } from "@jest/globals";
import { parseQualityOptions } from "./quality-options.js";
import { opeCoverage, renderQualityMarkdown, type QualityBenchResult } from "./quality-report.js";
import { accuracyOf, modeFigures, oracleAccuracy, performanceGapRecovered, type ServedAnswer } from "./quality-scores.js";
import { trafficMoved } from "./traffic-shift.js";
import { buildWorkload } from "./workload.js";

const answer = (model: string, correct: boolean, latencyMs = 1): ServedAnswer => ({ model, correct, latencyMs });

describe("routing-quality scores", () => {
  it("counts a failed request as a wrong answer", () => {
    expect(accuracyOf([answer("a", true), answer("", false), answer("a", true), answer("a", false)])).toBe(0.5);
  });

  it("credits the oracle with every request some model answers right", () => {
    const a = [answer("a", true), answer("a", false), answer("a", false)];
    const b = [answer("b", false), answer("b", true), answer("b", false)];
    expect(oracleAccuracy([a, b])).toBeCloseTo(2 / 3);
  });

  it("measures the performance gap recovered between the best single model and the oracle", () => {
    expect(performanceGapRecovered(0.8, 0.7, 0.9)).toBeCloseTo(0.5);
    expect(performanceGapRecovered(0.9, 0.7, 0.9)).toBeCloseTo(1);
    expect(performanceGapRecovered(0.6, 0.7, 0.9)).toBeCloseTo(-0.5);
    expect(performanceGapRecovered(0.7, 0.7, 0.7)).toBeNaN();
  });

  it("reports a mode's traffic shares, mean cost and median latency", () => {
    const figures = modeFigures(
      [answer("a", true, 1), answer("b", true, 3), answer("a", false, 2), answer("", false, 9)],
      { bestSingle: 0.5, oracle: 1 },
      (model) => (model === "a" ? 10 : 20),
    );
    expect(figures).toMatchObject({ requests: 4, failed: 1, accuracy: 0.5, pgr: 0, p50LatencyMs: 2, shares: { a: 0.5, b: 0.25 } });
    expect(figures.cost).toBeCloseTo(40 / 3);
  });

  it("counts the off-policy trials whose interval holds the truth", () => {
    const trial = (lower: number, upper: number, truth: number) => ({ draft: "d", estimate: 0.5, lower, upper, effectiveSampleSize: 10, truth });
    expect(opeCoverage([trial(0.4, 0.6, 0.5), trial(0.4, 0.6, 0.7), trial(0.4, 0.6, 0.6)]).get("d")).toEqual({ covered: 2, trials: 3 });
  });
});

describe("the routing-quality workload", () => {
  const options = { seed: 3, learning: 200, evaluation: 300, scanShare: 0.4, taggedScanShare: 0.5 };

  it("is the same for the same seed", () => {
    const ids = (seed: number) => buildWorkload({ ...options, seed }).evaluation.map((item) => item.id);
    expect(ids(3)).toEqual(ids(3));
    expect(ids(3)).not.toEqual(ids(4));
  });

  it("draws the learning and evaluation streams from disjoint images", () => {
    const workload = buildWorkload(options);
    const learned = new Set(workload.learning.map((item) => item.id));
    expect(workload.evaluation.filter((item) => learned.has(item.id))).toEqual([]);
    expect(workload.learning).toHaveLength(200);
    expect(workload.evaluation).toHaveLength(300);
  });

  it("mixes scans and digits, and tags only some scans by metadata", () => {
    const { evaluation } = buildWorkload(options);
    const scans = evaluation.filter((item) => item.kind === "scan");
    expect(scans.length / evaluation.length).toBeGreaterThan(0.3);
    expect(scans.length / evaluation.length).toBeLessThan(0.5);
    const tagged = scans.filter((item) => item.metadata["image_type"] === "lowres_scan").length;
    expect(tagged).toBeGreaterThan(0);
    expect(tagged).toBeLessThan(scans.length);
    expect(evaluation.filter((item) => item.kind === "mnist" && Object.keys(item.metadata).length > 0)).toEqual([]);
    expect(evaluation.every((item) => /^[0-9]$/.test(item.label))).toBe(true);
  });
});

describe("the routing-quality command line", () => {
  it("names every bad option at once", () => {
    expect(() => parseQualityOptions(["--evaluation", "0", "--concurrency", "x"], "/repo")).toThrow(
      /--evaluation must be an integer ≥ 1, got "0"\n--concurrency must be an integer ≥ 1, got "x"/,
    );
  });

  it("writes the report to docs/benchmarks.md unless told not to", () => {
    expect(parseQualityOptions([], "/repo").docsPath).toBe("/repo/docs/benchmarks.md");
    expect(parseQualityOptions(["--docs", "none"], "/repo").docsPath).toBeUndefined();
  });
});

describe("the routing-quality report", () => {
  it("shows every mode's accuracy and PGR", () => {
    const result = {
      startedAt: "2026-12-07T00:00:00Z",
      command: "node main.js",
      machine: { cpuModel: "cpu", cores: 2, memoryGiB: 24, kernel: "k", node: "v20", packages: {} },
      seed: 1,
      learning: 10,
      evaluation: 10,
      scanShare: 0.3,
      oracleAccuracy: 0.99,
      bestSingle: { model: "a", accuracy: 0.8 },
      modes: [{ name: "rules", requests: 10, failed: 0, accuracy: 0.97, pgr: 0.89, cost: 12, p50LatencyMs: 1.5, shares: { a: 1 } }],
      learningCurves: { bandit: [0.5, 0.9] },
      learningBlock: 5,
      opeTrials: [],
    } satisfies QualityBenchResult;
    const markdown = renderQualityMarkdown(result);
    expect(markdown).toContain("| rules | 97.0 % | 0.89 | 12.0 | 1.50 | 0 | a 100.0 % |");
    expect(markdown).toContain("- bandit: 50.0 % → 90.0 %");
  });
});

describe("when traffic moved away from a model", () => {
  const run = (pattern: string) =>
    [...pattern].map((c, i) => ({ atMs: i * 10, firstAttempt: c === "x" ? "bad@2" : "good@1", ok: true }));

  it("is the start of the first span with at most the allowed share on the model", () => {
    expect(trafficMoved(run("xxxxxx.x....x...."), "bad@2", { span: 5, maxShare: 0.2 })).toEqual({ index: 6, atMs: 60 });
    expect(trafficMoved(run("xxxxxx.x....x...."), "bad", { span: 5, maxShare: 0.2 })).toEqual({ index: 6, atMs: 60 });
  });

  it("is undefined while the model keeps more than its share", () => {
    expect(trafficMoved(run("x.x.x.x.x.x."), "bad@2", { span: 4, maxShare: 0.25 })).toBeUndefined();
  });
});
