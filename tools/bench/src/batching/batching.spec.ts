import { describe, expect, it } from "@jest/globals";
import { parseBatchingOptions, parseSetting, settingLabel } from "./batching-options.js";
import { type BatchingResult, type BatchingRun, batchingCell, renderBatchingMarkdown } from "./batching-report.js";

const latency = (p50: number, p99: number) => ({ count: 100, min: 1, mean: p50, p50, p90: p99, p99, p999: p99, max: p99 });

describe("the batching benchmark's settings", () => {
  it("reads SIZExDELAY settings and 1 for off", () => {
    expect(parseSetting("1")).toEqual({ maxBatchSize: 1, maxBatchDelayMs: 0 });
    expect(parseSetting("16x2.5")).toEqual({ maxBatchSize: 16, maxBatchDelayMs: 2.5 });
    expect(parseSetting("1x2")).toBeUndefined();
    expect(parseSetting("big")).toBeUndefined();
    expect(settingLabel({ maxBatchSize: 8, maxBatchDelayMs: 2 })).toBe("max 8, 2 ms");
  });

  it("defaults to batching off and four batch settings, and names every bad option", () => {
    const options = parseBatchingOptions([], "/repo/");
    expect(options.settings.map(settingLabel)).toEqual(["off", "max 4, 1 ms", "max 8, 2 ms", "max 16, 2 ms", "max 32, 4 ms"]);
    expect(options).toMatchObject({ repeat: 3, concurrency: 32, rates: [300, 1000], quietMaxWaitS: 10, docsPath: "/repo/docs/benchmarks.md" });
    expect(() => parseBatchingOptions(["--settings", "8x2,huge", "--repeat", "0"], "/repo/")).toThrow(
      /--settings items must be 1 \(off\) or SIZExDELAY_MS[^]*--repeat must be a positive integer/,
    );
  });
});

describe("the batching benchmark's report", () => {
  const off = { maxBatchSize: 1, maxBatchDelayMs: 0 };
  const on = { maxBatchSize: 8, maxBatchDelayMs: 2 };
  const closed = { kind: "closed", concurrency: 32 } as const;
  const run = (setting: typeof off, repetition: number, throughput: number, p50: number): BatchingRun => ({
    setting,
    load: closed,
    repetition,
    throughput,
    latencyUs: latency(p50, p50 * 3),
    errors: 0,
    statusCounts: { OK: 1 },
    executorCpuUsPerRequest: 2_000_000 / throughput,
    foreignPct: 10 * repetition,
    startedQuiet: repetition < 3,
  });
  const runs = [run(off, 1, 400, 60_000), run(off, 2, 500, 70_000), run(off, 3, 450, 65_000), run(on, 1, 1_350, 20_000), run(on, 2, 1_200, 25_000)];

  it("takes the medians over the repetitions of each setting", () => {
    expect(batchingCell(runs, off, closed)).toEqual({ throughput: 450, p50Us: 65_000, p99Us: 195_000, errors: 0, cpuUsPerRequest: 2_000_000 / 450, n: 3 });
    expect(batchingCell(runs, on, { kind: "open", ratePerSecond: 300 })).toBeUndefined();
  });

  it("renders one row per setting with its throughput relative to batching off", () => {
    const result: BatchingResult = {
      startedAt: "2026-12-06T20:00:00.000Z",
      command: "node tools/bench/dist/batching/main.js",
      machine: { cpuModel: "AMD EPYC", cores: 2, memoryGiB: 24, kernel: "6", node: "v20", packages: {} },
      model: "an MLP",
      workers: "one worker thread per CPU",
      warmupS: 2,
      durationS: 8,
      runs,
    };
    const markdown = renderBatchingMarkdown(result, [off, on], [closed]);
    expect(markdown).toContain("| off | 450 · 65.00 / 195.00 · 4,444 µs | 0 |");
    expect(markdown).toContain("| max 8, 2 ms | 1,275 (2.83×) · 22.50 / 67.50 · 1,574 µs | 0 |");
    expect(markdown).toContain("median 20, max 30 over 5 runs; 1 run(s) started without a quiet machine; non-OK answers by status: none.");
  });
});
