import { describe, expect, it } from "@jest/globals";
import { aggregate, cellKey, median, spread } from "./aggregate.js";
import { sampleResult } from "./bench-result.test-support.js";
import { replaceSection } from "./doc-sections.js";
import { renderLatencyPlot } from "./latency-plot.js";
import { renderMarkdown } from "./render-markdown.js";
import { checkTargets } from "./targets.js";

describe("aggregate", () => {
  const cells = aggregate(sampleResult());

  it("takes the median of each figure over the repetitions, with its range", () => {
    const cap = cells.get(cellKey("echo", "capacity"))!;
    expect(cap.runs).toBe(2);
    expect(cap.throughput.min).toBeCloseTo(20_000 / 1.1);
    expect(cap.throughput.max).toBe(20_000);
    expect(cap.throughput.median).toBeCloseTo((20_000 + 20_000 / 1.1) / 2);
    expect(cap.bestH2load).toBe("-c 1 -m 64");
    expect(cells.get(cellKey("echo", "c1"))!.latencyUs!.p50).toBeCloseTo(420);
  });

  it("sums errors, keeps the worst foreign CPU and the highest RSS", () => {
    expect(cells.get(cellKey("colocated", "c1"))!.errors).toBe(2);
    expect(cells.get(cellKey("echo", "capacity"))!.foreignMaxPct).toBe(50);
    expect(cells.get(cellKey("fanout3", "capacity"))!.rssMaxMib["hop2"]).toBe(120);
  });

  it("keeps a measurement skipped in every repetition as skipped, with the reason", () => {
    const cell = cells.get(cellKey("distributed", "rate", 2000))!;
    expect(cell.runs).toBe(0);
    expect(cell.skipped).toMatch(/above 90 %/);
  });

  it("collects the hops found missing in any repetition", () => {
    expect(cells.get(cellKey("distributed-traced", "capacity"))!.missingSpans).toEqual(["registry SERVER RegistryService/RecordDecision"]);
  });

  it("has medians that ignore non-numbers", () => {
    expect(median([3, Number.NaN, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(spread([]).median).toBeNaN();
  });
});

describe("checkTargets", () => {
  const result = sampleResult();
  const targets = Object.fromEntries(checkTargets(result, aggregate(result)).map((t) => [t.name, t]));

  it("passes co-located capacity at 65 % of the echo and misses distributed capacity at 80 % of fanout3", () => {
    expect(targets["co-located capacity"]).toMatchObject({ pass: true });
    expect(targets["co-located capacity"]!.value).toBeCloseTo(0.65);
    expect(targets["distributed capacity"]).toMatchObject({ pass: false });
    expect(targets["distributed capacity"]!.value).toBeCloseTo(0.8);
    expect(targets["co-located capacity, stretch"]).toMatchObject({ pass: false });
    expect(targets["distributed capacity, stretch"]).toMatchObject({ pass: false });
  });

  it("computes added c1 p50 against the echo (105 µs: pass) and the distributed p50 ratio (1.2×: miss)", () => {
    expect(targets["co-located added p50, 1 in flight"]!.value).toBeCloseTo(105);
    expect(targets["co-located added p50, 1 in flight"]!.pass).toBe(true);
    expect(targets["distributed p50, 1 in flight"]!.value).toBeCloseTo(1.2);
    expect(targets["distributed p50, 1 in flight"]!.pass).toBe(false);
  });

  it("compares p99 at 2,000 req/s with the echo's", () => {
    // p99 = 3 × p50; p50 at 2,000 req/s = c1 p50 × 2 × 1.5 (median over ×1 and ×1.1): 3 × 3 × 1.05 × (500 − 400).
    expect(targets["co-located added p99 at 2,000 req/s"]!.value).toBeCloseTo(945);
    expect(targets["co-located added p99 at 2,000 req/s"]!.pass).toBe(true);
  });

  it("gives the tracing cost as the capacity lost, per topology", () => {
    expect(targets["tracing cost, co-located"]!.value).toBeCloseTo(1 / 13);
    expect(targets["tracing cost, co-located"]!.pass).toBe(true);
    expect(targets["metrics cost, co-located"]!.value).toBeCloseTo(0.02);
    expect(targets["metrics cost, co-located"]!.pass).toBe(true);
    expect(targets["tracing cost, distributed"]!.value).toBeCloseTo(0.25);
    expect(targets["tracing cost, distributed"]!.pass).toBe(false);
  });

  it("names the largest idle RSS and misses at 160 MiB", () => {
    expect(targets["idle RSS of every service"]).toMatchObject({ pass: false, value: 160 });
    expect(targets["idle RSS of every service"]!.measured).toMatch(/router \(colocated\) 160 MiB/);
  });

  it("misses the 2,000 req/s target, saying why, when that rate was beyond the system's capacity", () => {
    const r = sampleResult();
    const runs = r.runs.map((run) =>
      run.scenario === "colocated" && run.rate === 2000 ? { scenario: run.scenario, phase: run.phase, rate: 2000, repetition: run.repetition, skipped: "above 90 % of the measured capacity (1500 req/s)" } : run,
    );
    const t = checkTargets(r, aggregate({ runs })).find((c) => c.name === "co-located added p99 at 2,000 req/s")!;
    expect(t.pass).toBe(false);
    expect(t.measured).toMatch(/not measured: 2,000 req\/s is above 90 %/);
  });

  it("says 'not measured' rather than pass or miss when a scenario was left out", () => {
    const r = sampleResult();
    const runs = r.runs.filter((run) => run.scenario !== "fanout3");
    const t = checkTargets(r, aggregate({ runs })).find((c) => c.name === "distributed capacity")!;
    expect(t.pass).toBeUndefined();
  });
});

describe("renderMarkdown", () => {
  const result = sampleResult();
  const cells = aggregate(result);
  const md = renderMarkdown(result, cells, checkTargets(result, cells), "benchmarks-latency.svg");
  /** The first table row starting with `start` in the section whose heading contains `heading`. */
  const row = (start: string, heading = "#### "): string => {
    const from = md.indexOf(heading);
    return md.slice(from).split("\n").find((line) => line.startsWith(start)) ?? "";
  };

  it("names the machine, the versions and the exact command", () => {
    expect(md).toContain("2 × AMD EPYC, 24 GiB, Linux 6.18.44-fc; Node v20.20.2; @grpc/grpc-js 1.14.7, @bufbuild/protobuf 2.17.0; h2load nghttp2/1.52.0.");
    expect(md).toContain("`node tools/bench/dist/main.js --repeat 2` (15 min");
  });

  it("lists every target with its verdict", () => {
    expect(row("| co-located capacity |")).toBe("| co-located capacity | ≥ 60 % of the bare echo | 12409 vs 19091 req/s = 65 % | **PASS** |");
    expect(row("| distributed capacity |")).toContain("**MISS**");
    expect(row("| idle RSS of every service |")).toContain("**MISS**");
  });

  it("shows latency as p50 / p99 / p99.9 in ms per load level, and a skipped rate as skipped with the reason", () => {
    expect(md).toContain("| scenario | c1 (1 in flight) | 200 req/s | 2,000 req/s |");
    expect(row("| bare grpc-js echo |", "#### Latency")).toBe("| bare grpc-js echo | 0.42 / 1.26 / 2.10 | 0.84 / 2.52 / 4.20 | 1.26 / 3.78 / 6.30 |");
    expect(row("| modelrouter distributed |", "#### Latency")).toMatch(/\| skipped \|$/);
    expect(md).toMatch(/- modelrouter distributed at 2,000 req\/s: skipped, above 90 % of the measured capacity \(800 req\/s\)\./);
  });

  it("subtracts the matching baseline: co-located from the echo, distributed from fanout3", () => {
    const added = md.slice(md.indexOf("#### Added latency"));
    expect(added.split("\n").find((l) => l.startsWith("| modelrouter co-located |"))).toBe(
      "| modelrouter co-located | bare grpc-js echo | +0.10 / +0.32 | +0.21 / +0.63 | +0.32 / +0.94 |",
    );
    expect(added).toContain("| modelrouter distributed | bare front + 3 sequential hops | +0.53 / +1.57 | +1.05 / +3.15 | – |");
  });

  it("reports the tracing cost and the spans per request, naming a lost hop", () => {
    expect(row("| co-located |", "#### Tracing")).toBe(
      "| co-located | 12,409 → 11,455 | −8 % | 0.53 → 0.59 | capacity 6.00, c1 6.00, 200/s 6.00, 2,000/s 6.00 (6) | none |",
    );
    expect(row("| distributed |", "#### Tracing")).toContain("**registry SERVER RegistryService/RecordDecision (capacity)**");
  });

  it("lists CPU per request per process, and RSS idle and under load", () => {
    expect(md).toMatch(/\| bare front \+ 3 sequential hops \| c1 \| front 1,750, hop1 250, hop2 250, hop3 250 \| 2,500 \| 300 \| 5 \|/);
    expect(md).toContain("| modelrouter co-located | router | 160 | 120 | 100 |");
  });

  it("flags runs with foreign CPU above 35 % and runs with non-OK statuses", () => {
    expect(md).toContain("1 run(s) above 35 %: echo capacity #2 (50 %).");
    expect(md).toContain('colocated c1 #1: {"OK":998,"UNAVAILABLE":2}');
  });

  it("links the plot", () => {
    expect(md).toContain("](benchmarks-latency.svg)");
  });
});

describe("renderLatencyPlot", () => {
  it("draws p50, p99 and p99.9 panels with one line per scenario, skipping rates that were not run", () => {
    const result = sampleResult();
    const svg = renderLatencyPlot(result, aggregate(result));
    expect(svg.match(/<polyline /g)?.length).toBe(3 * 7);
    expect(svg).toContain("medians of 2 run(s)");
  });
});

describe("replaceSection", () => {
  it("replaces the text between the markers and keeps the rest of the document", () => {
    const doc = "# Benchmarks\n\nmethod\n\n<!-- bench:full:start -->\nold\n<!-- bench:full:end -->\n\nafter\n";
    expect(replaceSection(doc, "full", "new\n")).toBe("# Benchmarks\n\nmethod\n\n<!-- bench:full:start -->\nnew\n<!-- bench:full:end -->\n\nafter\n");
  });

  it("appends the section when the markers are absent", () => {
    expect(replaceSection("# Benchmarks\n", "soak", "s")).toBe("# Benchmarks\n\n<!-- bench:soak:start -->\ns\n<!-- bench:soak:end -->\n");
  });
});
