import { describe, expect, it } from "@jest/globals";
import { parseShadowOptions } from "./shadow-options.js";
import { type ShadowArm, type ShadowBenchResult, renderShadowMarkdown } from "./shadow-report.js";

const latency = (p50: number, p99: number) => ({ count: 100, min: 1, mean: p50, p50, p90: p99, p99, p999: p99 + 1000, max: p99 + 2000 });

describe("the shadow benchmark", () => {
  it("parses its options, with defaults and 'none' for no docs", () => {
    expect(parseShadowOptions(["--rate", "25", "--duration", "5", "--docs", "none"], "/repo")).toEqual({
      ratePerArm: 25,
      warmupS: 3,
      durationS: 5,
      maxShadowsInFlight: 32,
      seed: 1,
      jsonPath: "/repo/tools/bench/results/shadow.json",
    });
  });

  it("refuses every bad option at once, naming each", () => {
    expect(() => parseShadowOptions(["--rate", "0", "--max-shadows=-1"], "/repo")).toThrow(/--rate must be .*\n--max-shadows must be/);
  });

  it("reports both arms side by side with their difference, and the shadows' outcomes", () => {
    const arms: ShadowArm[] = [
      { name: "without a shadow", achievedRate: 40, completed: 1200, errors: 0, latencyUs: latency(4000, 9000) },
      { name: "with a shadow", achievedRate: 40, completed: 1200, errors: 0, latencyUs: latency(4500, 11_000) },
    ];
    const result: ShadowBenchResult = {
      startedAt: "2026-12-06T22:00:00.000Z",
      command: "node tools/bench/dist/shadow/main.js",
      machine: { cpuModel: "CPU", cores: 2, memoryGiB: 4, kernel: "k", node: "v20", packages: {} },
      ratePerArm: 40,
      warmupS: 3,
      durationS: 30,
      maxShadowsInFlight: 32,
      arms,
      outcomes: { records: 1300, answered: 1288, dropped: 4, shed: 2, failed: 6, sameTopLabelShare: 0.95, meanScoreDistance: 0.1234, medianShadowLatencyMs: 2.5 },
      loadAverage: 1.25,
    };
    const markdown = renderShadowMarkdown(result);
    expect(markdown).toContain("| without a shadow | 40.0 | 0 | 4.00 | 9.00 | 10.00 |");
    expect(markdown).toContain("| with a shadow | 40.0 | 0 | 4.50 | 11.00 | 12.00 |");
    expect(markdown).toContain("| difference (with − without) | | | 0.50 | 2.00 | 2.00 |");
    expect(markdown).toContain("1288 answered, 4 dropped by the router's bound, 2 shed by the executor (no idle worker), 6 failed otherwise");
    expect(markdown).toContain("Load average at the end: 1.3.");
    expect(markdown).toContain("95.0 %");
  });
});
