import { describe, expect, it } from "@jest/globals";
import { Strategy } from "@modelrouter/contracts";
import { ErrorReason, isDomainError } from "@modelrouter/errors";
import { type CandidateStats, compilePolicy, createModelCatalogue, declaredStats, evaluatePolicies } from "./index.js";
import { NOON, imageInput, policy } from "./policy-fixtures.test-support.js";
import { chosen, decideFor, explained, measuredModel, strategyPolicy } from "./strategy-fixtures.test-support.js";

const precise = measuredModel("digits-precise", { accuracy: 0.98, f1: 0.9, p50LatencyMs: 80, costPerRequest: 0.02 });
const balanced = measuredModel("digits-balanced", { accuracy: 0.95, f1: 0.95, p50LatencyMs: 20, costPerRequest: 0.005 });
const quick = measuredModel("digits-quick", { accuracy: 0.9, f1: 0.88, p50LatencyMs: 4, costPerRequest: 0.001 });
const models = [precise, balanced, quick];
const all = [{ name: "digits-precise" }, { name: "digits-balanced" }, { name: "digits-quick" }];

function violations(route: Parameters<typeof strategyPolicy>[2] & { strategy: Strategy; when?: string }): string[] {
  const result = compilePolicy(
    policy({
      name: "ranked",
      rules: [
        {
          name: "all",
          when: route.when ?? "true",
          route: {
            strategy: route.strategy,
            targets: all.map(({ name }) => ({ kind: { case: "model", value: { name } } })),
            metric: route.metric ?? "",
            constraints: route.constraints ?? [],
          },
        },
      ],
    }),
  );
  return result.kind === "invalid" ? result.violations.map((v) => `${v.field}: ${v.description}`) : [];
}

describe("STRATEGY_BEST", () => {
  it("chooses the highest declared metric", () => {
    expect(chosen(decideFor(strategyPolicy(Strategy.BEST, all, { metric: "accuracy" }), models))).toBe("digits-precise");
    expect(chosen(decideFor(strategyPolicy(Strategy.BEST, all, { metric: "f1" }), models))).toBe("digits-balanced");
  });

  it("chooses among the candidates that pass every constraint, and rejects the others naming the expression", () => {
    const fastEnough = strategyPolicy(Strategy.BEST, all, {
      metric: "accuracy",
      constraints: ["candidate.metrics.p50_latency_ms < 50.0", "candidate.metrics.accuracy >= 0.93"],
    });
    const result = decideFor(fastEnough, models);
    expect(chosen(result)).toBe("digits-balanced");
    expect(result.decision.fallbacks).toEqual([]);
    expect(explained(result)).toEqual([
      "digits-precise: REJECTED: fails default_route.constraints[0] `candidate.metrics.p50_latency_ms < 50.0`",
      "digits-balanced: TARGET: the highest accuracy (0.95) of 1 candidate(s) that pass the constraints (strategy best)",
      "digits-quick: REJECTED: fails default_route.constraints[1] `candidate.metrics.accuracy >= 0.93`",
    ]);
  });

  it("keeps the other passing candidates as fallbacks, each with its metric against the winner's", () => {
    const result = decideFor(strategyPolicy(Strategy.BEST, all, { metric: "accuracy" }), models);
    expect(explained(result).slice(1)).toEqual([
      "digits-balanced: FALLBACK: fallback 1 of 2; not chosen by strategy best: accuracy 0.95 against digits-precise's 0.98",
      "digits-quick: FALLBACK: fallback 2 of 2; not chosen by strategy best: accuracy 0.9 against digits-precise's 0.98",
    ]);
  });

  it("breaks ties by target order", () => {
    const twin = measuredModel("digits-twin", { accuracy: 0.98 });
    const tied = strategyPolicy(Strategy.BEST, [{ name: "digits-twin" }, { name: "digits-precise" }], { metric: "accuracy" });
    const result = decideFor(tied, [twin, precise]);
    expect(chosen(result)).toBe("digits-twin");
    expect(explained(result)[1]).toContain("a tie: the earlier target wins");
  });

  it("lets labels take part in constraints", () => {
    const cleared = measuredModel("digits-cleared", { accuracy: 0.9 }, { clearance: "medical" });
    const route = strategyPolicy(Strategy.BEST, [{ name: "digits-precise" }, { name: "digits-cleared" }], {
      metric: "accuracy",
      constraints: ['"clearance" in candidate.labels && candidate.labels["clearance"] == "medical"'],
    });
    expect(chosen(decideFor(route, [precise, cleared]))).toBe("digits-cleared");
  });

  it("serves the first eligible fallback when every target fails a constraint, and fails when there is none", () => {
    const strict = ["candidate.metrics.accuracy > 0.99"];
    const withFallback = strategyPolicy(Strategy.BEST, all, { metric: "accuracy", constraints: strict, fallbacks: ["digits-safe"] });
    const safe = measuredModel("digits-safe", { accuracy: 0.5 });
    const result = decideFor(withFallback, [...models, safe]);
    expect(chosen(result)).toBe("digits-safe");
    expect(explained(result)[3]).toBe("digits-safe: TARGET: every target fails the route's constraints: the first eligible fallback");

    let failure: unknown;
    try {
      decideFor(strategyPolicy(Strategy.BEST, all, { metric: "accuracy", constraints: strict }), models);
    } catch (error) {
      failure = error;
    }
    expect(isDomainError(failure) && failure.reason).toBe(ErrorReason.NO_SERVABLE_MODEL);
    expect(isDomainError(failure) && failure.message).toContain(
      "digits-quick@1 (default_route.targets[2]): fails default_route.constraints[0] `candidate.metrics.accuracy > 0.99`",
    );
  });

  it("rejects a missing or unknown metric, naming the field and the metrics there are", () => {
    expect(violations({ strategy: Strategy.BEST })).toEqual([
      'rules[0].route.metric: is required with STRATEGY_BEST: name the metric to maximise, "accuracy" or "f1"',
    ]);
    expect(violations({ strategy: Strategy.BEST, metric: "precision" })).toEqual([
      'rules[0].route.metric: "precision" is not a metric models declare: use "accuracy" or "f1"',
    ]);
    expect(violations({ strategy: Strategy.BEST, metric: "p50_latency_ms" })).toEqual([
      expect.stringContaining("use STRATEGY_FASTEST"),
    ]);
    expect(violations({ strategy: Strategy.FASTEST, metric: "accuracy" })).toEqual([
      'rules[0].route.metric: is "accuracy", but only STRATEGY_BEST uses a metric: set that strategy or remove it',
    ]);
  });

  it("type-checks constraints at compile time, naming the constraint and the unknown metric", () => {
    const [problem] = violations({ strategy: Strategy.BEST, metric: "f1", constraints: ["candidate.metrics.p95_latency_ms < 50.0"] });
    expect(problem).toBe(
      "rules[0].route.constraints[0]: No such key: p95_latency_ms at line 1, column 19: " +
        'candidate.metrics.»p95_latency_ms« < 50.0. Did you mean "p50_latency_ms"?',
    );
    const [notBool] = violations({ strategy: Strategy.CHEAPEST, constraints: ["candidate.metrics.accuracy"] });
    expect(notBool).toMatch(/^rules\[0\]\.route\.constraints\[0\]: has type double, but a condition must be a bool/);
  });

  it("refuses `candidate` outside a constraint, and `input` inside one", () => {
    const [outside] = violations({ strategy: Strategy.BEST, metric: "f1", when: "candidate.metrics.accuracy > 0.5" });
    expect(outside).toMatch(/^rules\[0\]\.when: .*`candidate` exists only in a route's `constraints`/);
    const [inside] = violations({ strategy: Strategy.BEST, metric: "f1", constraints: ['input.modality == "image"'] });
    expect(inside).toMatch(/^rules\[0\]\.route\.constraints\[0\]: Unknown variable: input/);
  });

  it("refuses constraints on STRATEGY_FIRST and STRATEGY_WEIGHTED, which take every eligible target", () => {
    expect(violations({ strategy: Strategy.FIRST, constraints: ["true"] })).toEqual([
      "rules[0].route.constraints: are set, but only STRATEGY_BEST, STRATEGY_FASTEST, STRATEGY_CHEAPEST and " +
        "STRATEGY_LEAST_LOADED use constraints (STRATEGY_FIRST and STRATEGY_WEIGHTED take every eligible target): " +
        "set one of them or remove them",
    ]);
    expect(violations({ strategy: Strategy.LEAST_LOADED, constraints: ["true"] })).toEqual([]);
  });

  it("counts the constraints, evaluated for every candidate, in the policy's cost", () => {
    const plain = strategyPolicy(Strategy.BEST, all, { metric: "accuracy" });
    const constrained = strategyPolicy(Strategy.BEST, all, {
      metric: "accuracy",
      constraints: ["candidate.metrics.accuracy >= 0.9 && candidate.metrics.p50_latency_ms < 50.0"],
    });
    expect(constrained.cost).toBeGreaterThan(plain.cost + 64);
  });
});

describe("STRATEGY_FASTEST", () => {
  it("chooses the lowest declared median latency", () => {
    expect(chosen(decideFor(strategyPolicy(Strategy.FASTEST, all), models))).toBe("digits-quick");
  });

  it("ranks a model that declares no latency after every model that does", () => {
    const unknown = measuredModel("digits-unknown", { accuracy: 0.99 });
    const result = decideFor(strategyPolicy(Strategy.FASTEST, [{ name: "digits-unknown" }, { name: "digits-precise" }]), [
      unknown,
      precise,
    ]);
    expect(chosen(result)).toBe("digits-precise");
    expect(explained(result)[0]).toBe(
      "digits-unknown: FALLBACK: fallback 1 of 1; not chosen by strategy fastest: declares no p50_latency_ms against digits-precise's 80",
    );
  });

  it("ranks by the statistics provider passed in, which constraints read too", () => {
    const live = (model: Parameters<typeof declaredStats>[0]): CandidateStats =>
      model.name === "digits-precise" ? { ...declaredStats(model), p50LatencyMs: 2 } : declaredStats(model);
    const result = evaluatePolicies({
      policies: [strategyPolicy(Strategy.FASTEST, all, { constraints: ["candidate.metrics.p50_latency_ms < 3.0"] })],
      catalogue: createModelCatalogue(models, 1n),
      profile: imageInput(),
      now: NOON,
      random: () => 0,
      stats: live,
    });
    expect(chosen(result)).toBe("digits-precise");
  });
});

describe("STRATEGY_CHEAPEST", () => {
  it("chooses the lowest cost per request among the candidates that meet the quality floor", () => {
    const floor = ["candidate.metrics.accuracy >= 0.95"];
    expect(chosen(decideFor(strategyPolicy(Strategy.CHEAPEST, all), models))).toBe("digits-quick");
    expect(chosen(decideFor(strategyPolicy(Strategy.CHEAPEST, all, { constraints: floor }), models))).toBe("digits-balanced");
  });
});
