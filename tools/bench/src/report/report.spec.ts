import { describe, expect, it } from "@jest/globals";
import { aggregate, bestModelServer, cellKey, median, spread } from "./aggregate.js";
import { sampleResult } from "./bench-result.test-support.js";
import { replaceSection } from "./doc-sections.js";
import { renderLatencyPlot } from "./latency-plot.js";
import { renderMarkdown } from "./render-markdown.js";
import { routerCpu } from "./router-cpu.js";
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

describe("bestModelServer", () => {
  it("is the bare model-server variant with the higher median capacity", () => {
    expect(bestModelServer(aggregate(sampleResult()))).toBe("model-main");
  });

  it("is the other variant when one was not measured, and none when neither was", () => {
    const runs = sampleResult().runs;
    expect(bestModelServer(aggregate({ runs: runs.filter((r) => r.scenario !== "model-main") }))).toBe("model-pool");
    expect(bestModelServer(aggregate({ runs: runs.filter((r) => !r.scenario.startsWith("model-")) }))).toBeUndefined();
  });
});

describe("routerCpu", () => {
  const result = sampleResult();
  const cpu = routerCpu(result, aggregate(result));

  it("takes the router's own CPU co-located as the process's CPU minus the best bare model server's, at capacity", () => {
    // 70 % of 1e6 / capacity µs: co-located 53.8, the model server on the main thread 46.7, the echo 35.
    expect(cpu.modelServer).toBe("model-main");
    expect(cpu.colocatedUs).toBeCloseTo(0.7e6 / 13_000);
    expect(cpu.modelServerUs).toBeCloseTo(0.7e6 / 15_000);
    expect(cpu.colocatedOwnUs).toBeCloseTo(0.7e6 / 13_000 - 0.7e6 / 15_000);
    expect(cpu.echoUs).toBeCloseTo(35);
  });

  it("takes the router process alone with a remote executor, and gives the executor's apart", () => {
    expect(cpu.remoteRouterUs).toBeCloseTo(0.7e6 / 9000);
    expect(cpu.remoteExecutorUs).toBeCloseTo(0.3e6 / 9000);
  });

  it("is NaN where the run did not measure it", () => {
    const runs = result.runs.filter((r) => !r.scenario.startsWith("model-"));
    expect(routerCpu(result, aggregate({ runs })).colocatedOwnUs).toBeNaN();
  });
});

describe("checkTargets", () => {
  const result = sampleResult();
  const targets = Object.fromEntries(checkTargets(result, aggregate(result)).map((t) => [t.name, t]));

  it("checks issue 14's targets and no others", () => {
    expect(Object.keys(targets)).toEqual([
      "co-located capacity",
      "the router's own CPU per request",
      "co-located added p50, 1 in flight",
      "distributed capacity",
      "tracing cost, co-located",
      "tracing cost, distributed",
      "idle RSS of every service, distributed",
      "idle RSS of the co-located process",
    ]);
  });

  it("passes co-located capacity at 87 % of the best bare model server and misses distributed capacity at 80 % of fanout3", () => {
    expect(targets["co-located capacity"]).toMatchObject({ pass: true });
    expect(targets["co-located capacity"]!.value).toBeCloseTo(13 / 15);
    expect(targets["co-located capacity"]!.measured).toMatch(/\(bare model server, ONNX Runtime on the main thread\) = 87 %$/);
    expect(targets["distributed capacity"]).toMatchObject({ pass: false });
    expect(targets["distributed capacity"]!.value).toBeCloseTo(0.8);
  });

  it("misses co-located capacity below 80 % of the best bare model server", () => {
    const r = sampleResult();
    const runs = r.runs.map((run) => (run.scenario === "model-main" && run.phase === "capacity" ? { ...run, throughput: (run.throughput ?? 0) * 1.2 } : run));
    const t = checkTargets(r, aggregate({ runs })).find((c) => c.name === "co-located capacity")!;
    expect(t.value).toBeCloseTo(13 / 18);
    expect(t.pass).toBe(false);
  });

  it("compares the router's own CPU per request with the echo's (0.21×: pass)", () => {
    expect(targets["the router's own CPU per request"]!.value).toBeCloseTo((0.7e6 / 13_000 - 0.7e6 / 15_000) / 35);
    expect(targets["the router's own CPU per request"]!.pass).toBe(true);
    expect(targets["the router's own CPU per request"]!.measured).toBe(
      "co-located 54 − 47 µs (bare model server, ONNX Runtime on the main thread) = 7 µs vs the echo's 35 µs = 0.21×",
    );
  });

  it("computes added c1 p50 against the best bare model server (52.5 µs: pass)", () => {
    expect(targets["co-located added p50, 1 in flight"]!.value).toBeCloseTo(52.5);
    expect(targets["co-located added p50, 1 in flight"]!.pass).toBe(true);
  });

  it("gives the tracing cost as the capacity lost, per topology", () => {
    expect(targets["tracing cost, co-located"]!.value).toBeCloseTo(1 / 13);
    expect(targets["tracing cost, co-located"]!.pass).toBe(true);
    expect(targets["tracing cost, distributed"]!.value).toBeCloseTo(0.25);
    expect(targets["tracing cost, distributed"]!.pass).toBe(false);
  });

  it("holds each distributed service to 150 MB idle (145 MiB: miss) and the co-located process to 250 MB (160 MiB: pass)", () => {
    expect(targets["idle RSS of every service, distributed"]).toMatchObject({ pass: false, value: 145 });
    expect(targets["idle RSS of every service, distributed"]!.measured).toMatch(/executor \(distributed\) 145 MiB/);
    expect(targets["idle RSS of the co-located process"]).toMatchObject({ pass: true, value: 160 });
    expect(targets["idle RSS of the co-located process"]!.measured).toMatch(/router \(colocated\) 160 MiB/);
  });

  it("says 'not measured' rather than pass or miss when a scenario was left out", () => {
    const r = sampleResult();
    const runs = r.runs.filter((run) => run.scenario !== "fanout3" && !run.scenario.startsWith("model-"));
    const t = Object.fromEntries(checkTargets(r, aggregate({ runs })).map((c) => [c.name, c]));
    expect(t["distributed capacity"]!.pass).toBeUndefined();
    expect(t["co-located capacity"]!.pass).toBeUndefined();
    expect(t["the router's own CPU per request"]!.pass).toBeUndefined();
    expect(t["co-located added p50, 1 in flight"]!.pass).toBeUndefined();
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
    expect(row("| co-located capacity |")).toBe(
      "| co-located capacity | ≥ 80 % of the best bare model server | 12409 vs 14318 req/s (bare model server, ONNX Runtime on the main thread) = 87 % | **PASS** |",
    );
    expect(row("| distributed capacity |")).toContain("**MISS**");
    expect(row("| idle RSS of every service, distributed |")).toContain("**MISS**");
  });

  it("shows latency as p50 / p99 / p99.9 in ms per load level, and a skipped rate as skipped with the reason", () => {
    expect(md).toContain("| scenario | c1 (1 in flight) | 200 req/s | 2,000 req/s |");
    expect(row("| bare grpc-js echo |", "#### Latency")).toBe("| bare grpc-js echo | 0.42 / 1.26 / 2.10 | 0.84 / 2.52 / 4.20 | 1.26 / 3.78 / 6.30 |");
    expect(row("| modelrouter distributed |", "#### Latency")).toMatch(/\| skipped \|$/);
    expect(md).toMatch(/- modelrouter distributed at 2,000 req\/s: skipped, above 90 % of the measured capacity \(800 req\/s\)\./);
  });

  it("gives the router's own CPU per request next to the echo's, co-located and with a remote executor", () => {
    const headline = md.slice(md.indexOf("#### The router's own CPU"));
    expect(headline).toContain("The best bare model server is the variant with the higher median capacity: bare model server, ONNX Runtime on the main thread.");
    expect(headline).toContain("| bare grpc-js echo | 35 | 1.00× |");
    expect(headline).toContain("| **the router's own, co-located** (process − best bare model server) | **7** | **0.21×** |");
    expect(headline).toContain("| **the router's own, remote executor** (router process) | **78** | **2.22×** |");
  });

  it("gives each modelrouter scenario's capacity as ratios to the echo and to the best bare model server", () => {
    expect(row("| modelrouter co-located |", "#### Capacity")).toMatch(/^\| modelrouter co-located \| 12,409 \[11,818–13,000\] \| 0\.65× \| 0\.87× \| -c 1 -m 64 \|/);
    expect(row("| modelrouter, remote executor |", "#### Capacity")).toMatch(/\| 0\.45× \| 0\.60× \|/);
    expect(row("| bare model server, ONNX Runtime in a 2-worker pool |", "#### Capacity")).toMatch(/\| 0\.50× \| – \|/);
  });

  it("subtracts the matching baseline: co-located from the echo, distributed from fanout3", () => {
    const added = md.slice(md.indexOf("#### Added latency"));
    expect(added.split("\n").find((l) => l.startsWith("| modelrouter co-located |"))).toBe(
      "| modelrouter co-located | bare grpc-js echo | +0.10 / +0.32 | +0.21 / +0.63 | +0.32 / +0.94 |",
    );
    expect(added).toContain("| modelrouter distributed | bare front + 3 sequential hops | +0.53 / +1.57 | +1.05 / +3.15 | – |");
  });

  it("also subtracts the best bare model server from the co-located and remote-executor scenarios", () => {
    const added = md.slice(md.indexOf("#### Added latency"), md.indexOf("#### Tracing"));
    expect(added).toContain("| modelrouter co-located | bare model server, ONNX Runtime on the main thread | +0.05 / +0.16 |");
    expect(added).toContain("| modelrouter, remote executor | bare model server, ONNX Runtime on the main thread | +0.37 / +1.10 |");
    expect(added).not.toContain("| modelrouter, remote executor | bare grpc-js echo |");
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
    expect(svg.match(/<polyline /g)?.length).toBe(3 * 10);
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
