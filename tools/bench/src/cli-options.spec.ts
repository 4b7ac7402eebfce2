import { describe, expect, it } from "@jest/globals";
import { parseBenchOptions } from "./cli-options.js";

describe("parseBenchOptions", () => {
  it("has defaults for a full run of every scenario, writing under the repository", () => {
    const o = parseBenchOptions([], "/repo/");
    expect(o).toMatchObject({
      scenarios: [
        "echo",
        "fanout3",
        "model-main",
        "model-pool",
        "colocated",
        "colocated-traced",
        "colocated-metrics",
        "remote-executor",
        "distributed",
        "distributed-traced",
      ],
      repeat: 3,
      rates: [200, 1000, 2000],
      h2load: [
        { connections: 1, streams: 64 },
        { connections: 4, streams: 32 },
      ],
      jsonPath: "/repo/tools/bench/results/bench.json",
      docsPath: "/repo/docs/benchmarks.md",
      svgPath: "/repo/docs/benchmarks-latency.svg",
    });
    expect(o.soakMinutes).toBeUndefined();
    expect(o.executorWorkers).toBeUndefined();
  });

  it("keeps a scenario subset in report order, and reads rates, h2load settings and the soak", () => {
    const o = parseBenchOptions(["--scenarios", "colocated,echo", "--rates", "100,500", "--h2load", "2x16", "--soak", "2", "--docs", "none"], "/r/");
    expect(o.scenarios).toEqual(["echo", "colocated"]);
    expect(o.rates).toEqual([100, 500]);
    expect(o.h2load).toEqual([{ connections: 2, streams: 16 }]);
    expect(o.soakMinutes).toBe(2);
    expect(o.docsPath).toBeUndefined();
  });

  it("lists every bad option at once", () => {
    let message = "";
    try {
      parseBenchOptions(["--scenarios", "echo,nope", "--repeat", "0", "--h2load", "64"], "/r/");
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("unknown scenario(s) nope; known: echo, fanout3");
    expect(message).toContain('--repeat must be a positive integer, got "0"');
    expect(message).toContain('--h2load settings must look like 1x64 (connections x streams), got "64"');
    expect(message).toContain("usage:");
  });
});
