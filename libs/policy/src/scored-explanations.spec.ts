import { describe, expect, it } from "@jest/globals";
import { CandidateRole, Strategy } from "@modelrouter/contracts";
import { model } from "./policy-fixtures.test-support.js";
import { decideFor, measuredModel, scored, strategyPolicy } from "./strategy-fixtures.test-support.js";

const models = [
  measuredModel("digits-precise", { accuracy: 0.98, f1: 0.9, p50LatencyMs: 80, costPerRequest: 0.02 }),
  measuredModel("digits-quick", { accuracy: 0.9, f1: 0.88, p50LatencyMs: 4, costPerRequest: 0.001 }),
];
const both = [{ name: "digits-precise" }, { name: "digits-quick" }];

describe("scored explanations", () => {
  it.each([
    [Strategy.BEST, "accuracy", ["digits-precise: accuracy 0.98", "digits-quick: accuracy 0.9"]],
    [Strategy.FASTEST, "", ["digits-precise: p50_latency_ms 80", "digits-quick: p50_latency_ms 4"]],
    [Strategy.CHEAPEST, "", ["digits-precise: cost_per_request 0.02", "digits-quick: cost_per_request 0.001"]],
  ])("strategy %s (STRATEGY_BEST, FASTEST, CHEAPEST) scores every candidate by the figure it ranks", (strategy, metric, expected) => {
    expect(scored(decideFor(strategyPolicy(strategy, both, { metric }), models))).toEqual(expected);
  });

  it("scores f1 when STRATEGY_BEST maximises it", () => {
    expect(scored(decideFor(strategyPolicy(Strategy.BEST, both, { metric: "f1" }), models))).toEqual([
      "digits-precise: f1 0.9",
      "digits-quick: f1 0.88",
    ]);
  });

  it("gives a candidate a constraint rejected its score and the failed clause as written", () => {
    const clause = "candidate.metrics.p50_latency_ms < 50.0";
    const result = decideFor(strategyPolicy(Strategy.BEST, both, { metric: "accuracy", constraints: ["true", clause] }), models);
    const [precise, quick] = result.decision.explanation?.candidates ?? [];
    expect(precise?.role).toBe(CandidateRole.REJECTED);
    expect(precise?.failedConstraint).toBe(clause);
    expect(precise?.reason).toBe(`fails default_route.constraints[1] \`${clause}\``);
    expect(precise?.score).toBe(0.98);
    expect(quick?.failedConstraint).toBe("");
  });

  it("scores a weighted split's arms by weight and names the key the arm was chosen by", () => {
    const plain = [model("digits-precise", "1"), model("digits-quick", "1")];
    const arms = [
      { name: "digits-precise", weight: 70 },
      { name: "digits-quick", weight: 30 },
    ];
    const byUser = decideFor(strategyPolicy(Strategy.WEIGHTED, arms, { stickyKey: "user" }), plain, { user: "alice" });
    expect(scored(byUser)).toEqual(["digits-precise: weight 70", "digits-quick: weight 30"]);
    expect(byUser.decision.explanation?.splitKey).toBe("request.user_id");
    const byCohort = decideFor(strategyPolicy(Strategy.WEIGHTED, arms, { stickyKey: "metadata.cohort" }), plain, {
      metadata: { cohort: "b" },
    });
    expect(byCohort.decision.explanation?.splitKey).toBe("metadata.cohort");
    const unkeyed = decideFor(strategyPolicy(Strategy.WEIGHTED, arms, { stickyKey: "user" }), plain, { random: () => 0.5 });
    expect(unkeyed.decision.explanation?.splitKey).toBe("");
  });

  it("leaves STRATEGY_FIRST's candidates and the route's fallbacks unscored", () => {
    const first = decideFor(strategyPolicy(Strategy.FIRST, [{ name: "digits-precise" }], { fallbacks: ["digits-quick"] }), models);
    expect(scored(first)).toEqual(["digits-precise: -", "digits-quick: -"]);
    const best = decideFor(strategyPolicy(Strategy.BEST, [{ name: "digits-precise" }], { metric: "f1", fallbacks: ["digits-quick"] }), models);
    expect(scored(best)).toEqual(["digits-precise: f1 0.9", "digits-quick: -"]);
  });
});
