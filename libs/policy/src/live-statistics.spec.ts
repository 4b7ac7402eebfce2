import { describe, expect, it } from "@jest/globals";
import { type Model, Strategy } from "@modelrouter/contracts";
import {
  type CandidateStatsProvider,
  type CompiledPolicy,
  type EvaluationResult,
  type LiveStats,
  MIN_LIVE_LABELLED,
  MIN_LIVE_REQUESTS,
  NO_LIVE_STATS,
  compilePolicy,
  createModelCatalogue,
  declaredStats,
  evaluatePolicies,
  snapshotStats,
} from "./index.js";
import { NOON, imageInput, noRandom, policy, requestContext } from "./policy-fixtures.test-support.js";
import { chosen, explained, measuredModel, scored, strategyPolicy } from "./strategy-fixtures.test-support.js";

const precise = measuredModel("digits-precise", { accuracy: 0.98, f1: 0.9, p50LatencyMs: 80, costPerRequest: 0.02 });
const balanced = measuredModel("digits-balanced", { accuracy: 0.95, f1: 0.95, p50LatencyMs: 20, costPerRequest: 0.005 });
const quick = measuredModel("digits-quick", { accuracy: 0.9, f1: 0.88, p50LatencyMs: 4, costPerRequest: 0.001 });
const models = [precise, balanced, quick];
const all = [{ name: "digits-precise" }, { name: "digits-balanced" }, { name: "digits-quick" }];
const catalogue = createModelCatalogue(models, 1n);

/** A live provider: the declared figures with these live figures per model name (none for the others). */
function liveProvider(figures: Readonly<Record<string, Partial<LiveStats>>>): CandidateStatsProvider {
  return (model: Model) => {
    const live = figures[model.name];
    return { ...declaredStats(model), live: { ...NO_LIVE_STATS, ...(live ?? {}) } };
  };
}

function decideWith(compiledPolicy: CompiledPolicy, stats: CandidateStatsProvider | undefined): EvaluationResult {
  return evaluatePolicies({
    policies: [compiledPolicy],
    catalogue,
    profile: imageInput(),
    context: requestContext(),
    now: NOON,
    random: noRandom,
    stats,
  });
}

function constraintViolations(constraint: string): string[] {
  const result = compilePolicy(
    policy({
      name: "live",
      defaultRoute: {
        strategy: Strategy.FASTEST,
        targets: all.map(({ name }) => ({ kind: { case: "model", value: { name } } })),
        constraints: [constraint],
      },
    }),
  );
  return result.kind === "invalid" ? result.violations.map((v) => `${v.field}: ${v.description}`) : [];
}

describe("candidate.live in constraints", () => {
  const healthy = "candidate.live.requests < 50 || candidate.live.error_rate < 0.05";

  it("rejects a version whose measured error rate is too high once it has enough requests, naming the constraint", () => {
    const stats = liveProvider({
      "digits-quick": { requests: 400, errorRate: 0.3, p50LatencyMs: 3 },
      "digits-balanced": { requests: 10, errorRate: 0.5 },
    });
    const result = decideWith(strategyPolicy(Strategy.FASTEST, all, { constraints: [healthy] }), stats);
    expect(chosen(result)).toBe("digits-balanced");
    expect(explained(result)).toContain(`digits-quick: REJECTED: fails default_route.constraints[0] \`${healthy}\``);
  });

  it("reads 0 for every figure under the declared statistics, so a floor on live figures fails", () => {
    const fields = ["requests", "labelled", "rewarded"].map((field) => `candidate.live.${field} == 0`);
    const doubles = ["error_rate", "p50_latency_ms", "p95_latency_ms", "p99_latency_ms", "accuracy", "mean_reward"].map(
      (field) => `candidate.live.${field} == 0.0`,
    );
    const zeros = strategyPolicy(Strategy.FASTEST, all, { constraints: [[...fields, ...doubles].join(" && ")] });
    expect(chosen(decideWith(zeros, undefined))).toBe("digits-quick");
    const floor = strategyPolicy(Strategy.FASTEST, all, { constraints: ["candidate.live.requests > 0"], fallbacks: [] });
    expect(() => decideWith(floor, undefined)).toThrow(
      /has no servable model: digits-precise@1 \(default_route\.targets\[0\]\): fails default_route\.constraints\[0\] `candidate\.live\.requests > 0`/,
    );
  });

  it("reads every live figure a provider supplies", () => {
    const stats = liveProvider({
      "digits-precise": {
        requests: 120,
        errorRate: 0.01,
        p50LatencyMs: 30,
        p95LatencyMs: 60,
        p99LatencyMs: 90,
        accuracy: 0.97,
        labelled: 40,
        meanReward: 0.5,
        rewarded: 12,
      },
    });
    const exact =
      "candidate.live.requests == 120 && candidate.live.error_rate == 0.01 && candidate.live.p50_latency_ms == 30.0 && " +
      "candidate.live.p95_latency_ms == 60.0 && candidate.live.p99_latency_ms == 90.0 && candidate.live.accuracy == 0.97 && " +
      "candidate.live.labelled == 40 && candidate.live.mean_reward == 0.5 && candidate.live.rewarded == 12";
    const result = decideWith(strategyPolicy(Strategy.CHEAPEST, all, { constraints: [exact] }), stats);
    expect(chosen(result)).toBe("digits-precise");
    expect(result.decision.fallbacks).toEqual([]);
  });

  it("rejects an unknown live figure at compile time, naming the constraint and the field", () => {
    const [problem] = constraintViolations("candidate.live.p90_latency_ms < 50.0");
    expect(problem).toMatch(/^default_route\.constraints\[0\]: No such key: p90_latency_ms .*Did you mean "p50_latency_ms"\?/);
  });

  it("type-checks live figures: counts are ints, rates doubles", () => {
    expect(constraintViolations("candidate.live.requests >= 20 && candidate.live.error_rate < 0.05")).toEqual([]);
    const [notBool] = constraintViolations("candidate.live.error_rate");
    expect(notBool).toMatch(/^default_route\.constraints\[0\]: has type double, but a condition must be a bool/);
  });

  it("refuses candidate.live outside a constraint", () => {
    const result = compilePolicy(
      policy({
        name: "live",
        rules: [
          {
            name: "r",
            when: "candidate.live.requests > 0",
            route: { targets: [{ kind: { case: "model", value: { name: "digits-quick" } } }] },
          },
        ],
      }),
    );
    const problems = result.kind === "invalid" ? result.violations.map((v) => `${v.field}: ${v.description}`) : [];
    expect(problems).toEqual([expect.stringMatching(/^rules\[0\]\.when: .*`candidate` exists only in a route's `constraints`/)]);
  });
});

describe("STRATEGY_FASTEST with live statistics", () => {
  const fastest = strategyPolicy(Strategy.FASTEST, all);

  it("ranks a version by its measured median latency once it has MIN_LIVE_REQUESTS attempts, and says so", () => {
    const stats = liveProvider({ "digits-quick": { requests: MIN_LIVE_REQUESTS, p50LatencyMs: 45 } });
    const result = decideWith(fastest, stats);
    expect(chosen(result)).toBe("digits-balanced");
    expect(explained(result)).toEqual([
      "digits-precise: FALLBACK: fallback 1 of 2; not chosen by strategy fastest: declared p50_latency_ms 80 (live: 0 requests, " +
        `under ${MIN_LIVE_REQUESTS}) against digits-balanced's declared p50_latency_ms 20 (live: 0 requests, under ${MIN_LIVE_REQUESTS})`,
      "digits-balanced: TARGET: the lowest p50_latency_ms (declared p50_latency_ms 20 (live: 0 requests, under " +
        `${MIN_LIVE_REQUESTS})) of 3 candidate(s) that pass the constraints (strategy fastest)`,
      `digits-quick: FALLBACK: fallback 2 of 2; not chosen by strategy fastest: live p50_latency_ms 45 over ${MIN_LIVE_REQUESTS} ` +
        `requests against digits-balanced's declared p50_latency_ms 20 (live: 0 requests, under ${MIN_LIVE_REQUESTS})`,
    ]);
    expect(scored(result)).toEqual([
      "digits-precise: p50_latency_ms 80",
      "digits-balanced: p50_latency_ms 20",
      "digits-quick: live_p50_latency_ms 45",
    ]);
  });

  it("keeps the declared latency below MIN_LIVE_REQUESTS attempts, however slow the few were", () => {
    const stats = liveProvider({ "digits-quick": { requests: MIN_LIVE_REQUESTS - 1, p50LatencyMs: 500 } });
    const result = decideWith(fastest, stats);
    expect(chosen(result)).toBe("digits-quick");
    expect(result.decision.explanation?.candidates[2]?.reason).toBe(
      `the lowest p50_latency_ms (declared p50_latency_ms 4 (live: ${MIN_LIVE_REQUESTS - 1} requests, under ` +
        `${MIN_LIVE_REQUESTS})) of 3 candidate(s) that pass the constraints (strategy fastest)`,
    );
    expect(scored(result)[2]).toBe("digits-quick: p50_latency_ms 4");
  });

  it("chooses a version the measurements show fast even when it declares itself slow", () => {
    const stats = liveProvider({
      "digits-precise": { requests: 200, p50LatencyMs: 2 },
      "digits-quick": { requests: 200, p50LatencyMs: 9 },
    });
    const result = decideWith(fastest, stats);
    expect(chosen(result)).toBe("digits-precise");
    expect(result.decision.explanation?.candidates[0]?.reason).toBe(
      "the lowest p50_latency_ms (live p50_latency_ms 2 over 200 requests) of 3 candidate(s) that pass the constraints (strategy fastest)",
    );
  });

  it("explains as before under the declared statistics", () => {
    const result = decideWith(fastest, declaredStats);
    expect(result.decision.explanation?.candidates[2]?.reason).toBe(
      "the lowest p50_latency_ms (4) of 3 candidate(s) that pass the constraints (strategy fastest)",
    );
    expect(scored(result)[2]).toBe("digits-quick: p50_latency_ms 4");
  });
});

describe("STRATEGY_BEST with live statistics", () => {
  const byAccuracy = strategyPolicy(Strategy.BEST, all, { metric: "accuracy" });

  it("ranks by accuracy from feedback once a version has MIN_LIVE_LABELLED labelled decisions, and says so", () => {
    const stats = liveProvider({
      "digits-precise": { labelled: 120, accuracy: 0.81 },
      "digits-balanced": { labelled: 120, accuracy: 0.91 },
    });
    const result = decideWith(byAccuracy, stats);
    expect(chosen(result)).toBe("digits-balanced");
    expect(result.decision.explanation?.candidates[1]?.reason).toBe(
      "the highest accuracy (live accuracy 0.91 over 120 labelled) of 3 candidate(s) that pass the constraints (strategy best)",
    );
    expect(scored(result)).toEqual([
      "digits-precise: live_accuracy 0.81",
      "digits-balanced: live_accuracy 0.91",
      "digits-quick: accuracy 0.9",
    ]);
  });

  it("keeps the declared accuracy below MIN_LIVE_LABELLED, and names it declared", () => {
    const stats = liveProvider({ "digits-precise": { labelled: MIN_LIVE_LABELLED - 1, accuracy: 0.5 } });
    const result = decideWith(byAccuracy, stats);
    expect(chosen(result)).toBe("digits-precise");
    expect(result.decision.explanation?.candidates[0]?.reason).toBe(
      `the highest accuracy (declared accuracy 0.98 (live: ${MIN_LIVE_LABELLED - 1} labelled, under ${MIN_LIVE_LABELLED})) ` +
        "of 3 candidate(s) that pass the constraints (strategy best)",
    );
  });

  it("counts a measured accuracy of 0 over enough labels", () => {
    const stats = liveProvider({ "digits-precise": { labelled: MIN_LIVE_LABELLED, accuracy: 0 } });
    expect(chosen(decideWith(byAccuracy, stats))).toBe("digits-balanced");
  });

  it("ranks F1 and cost by the declared figures only", () => {
    const stats = liveProvider({ "digits-balanced": { labelled: 500, accuracy: 0.1, requests: 500, p50LatencyMs: 900 } });
    expect(chosen(decideWith(strategyPolicy(Strategy.BEST, all, { metric: "f1" }), stats))).toBe("digits-balanced");
    expect(chosen(decideWith(strategyPolicy(Strategy.CHEAPEST, all), stats))).toBe("digits-quick");
  });

  it("follows the provider it is given: new figures, new choice, with no stale cache", () => {
    const before = liveProvider({ "digits-quick": { labelled: 100, accuracy: 0.99 } });
    const after = liveProvider({ "digits-quick": { labelled: 100, accuracy: 0.5 } });
    expect(chosen(decideWith(byAccuracy, before))).toBe("digits-quick");
    expect(chosen(decideWith(byAccuracy, after))).toBe("digits-precise");
    expect(chosen(decideWith(byAccuracy, before))).toBe("digits-quick");
  });
});

describe("a snapshot of live statistics", () => {
  const byAccuracy = strategyPolicy(Strategy.BEST, all, { metric: "accuracy", constraints: ["candidate.live.error_rate < 0.5"] });

  it("is asked once per model however many decisions use it, and decides as an unmarked provider would", () => {
    let asked = 0;
    const figures = liveProvider({ "digits-quick": { labelled: 100, accuracy: 0.99 }, "digits-precise": { requests: 90, errorRate: 0.6 } });
    const snapshot = snapshotStats((model: Model) => {
      asked++;
      return figures(model);
    });
    const first = decideWith(byAccuracy, snapshot);
    const askedOnce = asked;
    for (let i = 0; i < 5; i++) expect(decideWith(byAccuracy, snapshot).decision).toEqual(first.decision);
    expect(asked).toBe(askedOnce);
    expect(askedOnce).toBeLessThanOrEqual(models.length);
    expect(first.decision).toEqual(decideWith(byAccuracy, figures).decision);
    expect(chosen(first)).toBe("digits-quick");
  });

  it("never serves one snapshot's outcome for another", () => {
    const before = snapshotStats(liveProvider({ "digits-quick": { labelled: 100, accuracy: 0.99 } }));
    const after = snapshotStats(liveProvider({ "digits-quick": { labelled: 100, accuracy: 0.99, requests: 50, errorRate: 0.9 } }));
    expect(chosen(decideWith(byAccuracy, before))).toBe("digits-quick");
    expect(chosen(decideWith(byAccuracy, after))).toBe("digits-precise");
    expect(chosen(decideWith(byAccuracy, before))).toBe("digits-quick");
  });
});
