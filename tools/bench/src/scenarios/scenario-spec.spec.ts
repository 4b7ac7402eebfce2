import { describe, expect, it } from "@jest/globals";
import { countSpans, type CountedSpan } from "../run/measured-run.js";
import { SCENARIOS, expectedSpans, scenarioSpec, spanKey } from "./scenario-spec.js";

describe("scenarios", () => {
  it("compares each modelrouter scenario with its topology's baseline, each traced one with its untraced twin, the one with metrics with the one without", () => {
    expect(SCENARIOS.filter((s) => s.kind === "modelrouter").map((s) => [s.id, s.baseline, s.untraced ?? s.withoutMetrics])).toEqual([
      ["colocated", "echo", undefined],
      ["colocated-traced", "echo", "colocated"],
      ["colocated-metrics", "echo", "colocated"],
      ["remote-executor", undefined, undefined],
      ["distributed", "fanout3", undefined],
      ["distributed-traced", "fanout3", "distributed"],
    ]);
    expect(() => scenarioSpec("nope" as never)).toThrow(/unknown/);
  });

  it("runs two bare model servers, and compares the co-located and remote-executor scenarios with the better one", () => {
    expect(SCENARIOS.filter((s) => s.modelServer === true).map((s) => [s.id, s.kind])).toEqual([
      ["model-main", "baseline"],
      ["model-pool", "baseline"],
    ]);
    expect(SCENARIOS.filter((s) => s.comparedWithModelServer === true).map((s) => s.id)).toEqual(["colocated", "remote-executor"]);
    expect(scenarioSpec("remote-executor")).toMatchObject({ topology: "co-located", remoteExecutor: true, tracing: false });
  });
});

describe("expectedSpans", () => {
  it("expects six spans per request co-located and ten distributed", () => {
    expect(expectedSpans("co-located")).toHaveLength(6);
    expect(expectedSpans("distributed")).toHaveLength(10);
    expect(expectedSpans("distributed")).toContain("executor SERVER ExecutorService/Execute");
  });
});

describe("spanKey", () => {
  it("shortens the RPC service to its last name and keeps other span names", () => {
    expect(spanKey({ serviceName: "router", kind: "SERVER", name: "modelrouter.router.v1.RouterService/Infer" })).toBe("router SERVER RouterService/Infer");
    expect(spanKey({ serviceName: "router", kind: "INTERNAL", name: "router.attempt" })).toBe("router INTERNAL router.attempt");
  });
});

describe("countSpans", () => {
  const trace = (traceId: string, startNs: bigint, drop?: string): CountedSpan[] =>
    [
      "router SERVER modelrouter.router.v1.RouterService/Infer",
      "router INTERNAL router.attempt",
      "router INTERNAL modelrouter.analyzer.v1.AnalyzerService/Analyze",
      "router INTERNAL modelrouter.decision.v1.DecisionService/Decide",
      "router INTERNAL modelrouter.executor.v1.ExecutorService/Execute",
      "router INTERNAL modelrouter.registry.v1.RegistryService/RecordDecision",
    ]
      .filter((s) => s !== drop)
      .map((s) => {
        const [serviceName, kind, name] = s.split(" ") as [string, string, string];
        // The decision log is written behind: its span starts after the request's window may have ended.
        const start = name.endsWith("/RecordDecision") ? startNs + 1000n : startNs;
        return { traceId, serviceName, kind, name, startTimeUnixNano: start, endTimeUnixNano: start + 10n };
      });

  it("counts every span of the traces whose root started in the window, late ones included", () => {
    const spans = [...trace("a", 5n), ...trace("b", 100n), ...trace("c", 150n), ...trace("d", 200n)];
    const count = countSpans(spans, { startNs: 100n, endNs: 200n }, 2, "co-located");
    expect(count).toMatchObject({ spans: 12, perRequest: 6, expectedPerRequest: 6, missing: [] });
  });

  it("names a hop that is lost from some requests", () => {
    const spans = [...trace("a", 100n), ...trace("b", 110n, "router INTERNAL modelrouter.executor.v1.ExecutorService/Execute")];
    const count = countSpans(spans, { startNs: 0n, endNs: 1000n }, 2, "co-located");
    expect(count.missing).toEqual(["router INTERNAL ExecutorService/Execute"]);
    expect(count.byKey["router INTERNAL ExecutorService/Execute"]).toBe(0.5);
  });

  it("finds lost roots as missing root spans (their other spans are not counted)", () => {
    const spans = [...trace("a", 100n), ...trace("b", 110n, "router SERVER modelrouter.router.v1.RouterService/Infer")];
    const count = countSpans(spans, { startNs: 0n, endNs: 1000n }, 2, "co-located");
    expect(count.missing).toEqual([expectedSpans("co-located")[0]]);
    expect(count.perRequest).toBe(3);
  });

  it("leaves out the traces of requests still in flight when the window ends (cancelled, they stop short)", () => {
    const spans = [...trace("a", 100n), ...trace("b", 995n, "router INTERNAL modelrouter.executor.v1.ExecutorService/Execute")];
    const count = countSpans(spans, { startNs: 0n, endNs: 1000n }, 1, "co-located");
    expect(count.missing).toEqual([]);
    expect(count.spans).toBe(6);
  });

  it("does not call complete traces lost when the answers of the window outnumber its roots by the requests in flight", () => {
    const spans = Array.from({ length: 97 }, (_, i) => trace(`t${i}`, 100n + BigInt(i))).flat();
    const count = countSpans(spans, { startNs: 0n, endNs: 1000n }, 100, "co-located");
    expect(count.missing).toEqual([]);
    expect(count.perRequest).toBeCloseTo(5.82);
  });
});
