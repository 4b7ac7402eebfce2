import { describe, expect, it } from "@jest/globals";
import { CandidateRole, Strategy } from "@modelrouter/contracts";
import { compilePolicy } from "./index.js";
import { model, policy } from "./policy-fixtures.test-support.js";
import {
  chosen,
  decideFor,
  explained,
  measuredModel,
  scored,
  seededRandom,
  strategyPolicy,
} from "./strategy-fixtures.test-support.js";

const models = [model("digits-a", "1"), model("digits-b", "1"), model("digits-c", "1")];
const three = [{ name: "digits-a" }, { name: "digits-b" }, { name: "digits-c" }];
const leastLoaded = strategyPolicy(Strategy.LEAST_LOADED, three);
const REQUESTS = 3000;

function shares(load: Record<string, number>): Record<string, number> {
  const random = seededRandom(7);
  const counts: Record<string, number> = {};
  for (let i = 0; i < REQUESTS; i++) {
    const name = chosen(decideFor(leastLoaded, models, { random, load }));
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).map(([name, n]) => [name, (100 * n) / REQUESTS]));
}

describe("STRATEGY_LEAST_LOADED", () => {
  it("never sends a request to the busiest model while a less loaded one is drawn beside it", () => {
    const split = shares({ "digits-a": 40, "digits-b": 0, "digits-c": 0 });
    expect(split["digits-a"]).toBeUndefined();
    expect(split["digits-b"]).toBeGreaterThan(40);
    expect(split["digits-c"]).toBeGreaterThan(40);
  });

  it("spills load from a busy model to an idle one: of two, the idle one always serves", () => {
    const two = strategyPolicy(Strategy.LEAST_LOADED, [{ name: "digits-a" }, { name: "digits-b" }]);
    const random = seededRandom(3);
    const load = { "digits-a": 12, "digits-b": 1 };
    const targets = Array.from({ length: 200 }, () => chosen(decideFor(two, models, { random, load })));
    expect(new Set(targets)).toEqual(new Set(["digits-b"]));
  });

  it("splits evenly between models of equal load, within three points", () => {
    const split = shares({});
    for (const name of ["digits-a", "digits-b", "digits-c"]) {
      expect(Math.abs((split[name] ?? 0) - 100 / 3)).toBeLessThanOrEqual(3);
    }
  });

  it("orders the fallbacks by load, least loaded first, so a retry never returns to the saturated model", () => {
    const four = [...models, model("digits-d", "1")];
    const policy = strategyPolicy(Strategy.LEAST_LOADED, [...three, { name: "digits-d" }], { fallbacks: [] });
    const load = { "digits-a": 9, "digits-b": 50, "digits-c": 2, "digits-d": 9 };
    const random = seededRandom(1);
    for (let i = 0; i < 50; i++) {
      const result = decideFor(policy, four, { random, load });
      const fallbacks = (result.decision.fallbacks ?? []).map((f) => f.model?.name ?? "");
      const loads = fallbacks.map((name) => load[name as keyof typeof load]);
      expect(loads).toEqual([...loads].sort((x, y) => x - y));
      expect(fallbacks.at(-1)).toBe("digits-b");
      if (loads[0] === 9 && loads[1] === 9) expect(fallbacks.slice(0, 2)).toEqual(["digits-a", "digits-d"]);
    }
  });

  it("explains each candidate's in_flight as its score, and why each other candidate was not chosen", () => {
    const two = strategyPolicy(Strategy.LEAST_LOADED, [{ name: "digits-a" }, { name: "digits-b" }]);
    const result = decideFor(two, models, { random: () => 0, load: { "digits-a": 5, "digits-b": 2 } });
    expect(scored(result)).toEqual(["digits-a: in_flight 5", "digits-b: in_flight 2"]);
    expect(explained(result)).toEqual([
      "digits-a: FALLBACK: fallback 1 of 1; not chosen by strategy least_loaded: in_flight 5 against digits-b's 2",
      "digits-b: TARGET: the less loaded of two of 2 candidates drawn at random, in_flight 2 (strategy least_loaded)",
    ]);
  });

  it("counts a model the caller reports no load for as idle", () => {
    const two = strategyPolicy(Strategy.LEAST_LOADED, [{ name: "digits-a" }, { name: "digits-b" }]);
    const result = decideFor(two, models, { random: () => 0, load: { "digits-a": 1 } });
    expect(chosen(result)).toBe("digits-b");
  });

  it("applies constraints as the ranking strategies do: a failing candidate is neither target nor fallback", () => {
    const measured = [
      measuredModel("digits-a", { p50LatencyMs: 80 }),
      measuredModel("digits-b", { p50LatencyMs: 10 }),
      measuredModel("digits-c", { p50LatencyMs: 12 }),
    ];
    const policy = strategyPolicy(Strategy.LEAST_LOADED, three, { constraints: ["candidate.metrics.p50_latency_ms < 50.0"] });
    const result = decideFor(policy, measured, { random: seededRandom(5), load: { "digits-b": 3, "digits-c": 4 } });
    expect(chosen(result)).toBe("digits-b");
    const rejected = result.decision.explanation?.candidates.find((c) => c.role === CandidateRole.REJECTED);
    expect(rejected?.model?.name).toBe("digits-a");
    expect(rejected?.failedConstraint).toBe("candidate.metrics.p50_latency_ms < 50.0");
    expect((result.decision.fallbacks ?? []).map((f) => f.model?.name)).toEqual(["digits-c"]);
  });

  it("rejects the settings it does not use, naming the field and the fix", () => {
    const result = compilePolicy(
      policy({
        name: "busy",
        defaultRoute: {
          strategy: Strategy.LEAST_LOADED,
          targets: [{ kind: { case: "model", value: { name: "digits-a" } }, weight: 3 }],
          metric: "accuracy",
          stickyKey: "user",
        },
      }),
    );
    const found = result.kind === "invalid" ? result.violations.map((v) => `${v.field}: ${v.description}`) : [];
    expect(found).toEqual([
      "default_route.targets[0].weight: is 3, but only STRATEGY_WEIGHTED uses weights: set that strategy or remove the weight",
      "default_route.sticky_key: is set, but only STRATEGY_WEIGHTED uses a sticky key: set that strategy or remove it",
      'default_route.metric: is "accuracy", but only STRATEGY_BEST uses a metric: set that strategy or remove it',
    ]);
  });
});
