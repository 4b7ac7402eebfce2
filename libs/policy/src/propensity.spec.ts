import { describe, expect, it } from "@jest/globals";
import { Strategy } from "@modelrouter/contracts";
import {
  type CompiledPolicy,
  type EvaluationResult,
  createModelCatalogue,
  evaluatePolicies,
  pickOfTwoChoices,
  twoChoicesProbability,
} from "./index.js";
import { NOON, imageInput, model, requestContext } from "./policy-fixtures.test-support.js";
import { chosen, decideFor, measuredModel, seededRandom, strategyPolicy } from "./strategy-fixtures.test-support.js";

const models = [
  measuredModel("digits-a", { accuracy: 0.9, p50LatencyMs: 30, costPerRequest: 3 }),
  measuredModel("digits-b", { accuracy: 0.97, p50LatencyMs: 10, costPerRequest: 2 }),
  measuredModel("digits-c", { accuracy: 0.95, p50LatencyMs: 20, costPerRequest: 1 }),
  measuredModel("digits-d", { accuracy: 0.92, p50LatencyMs: 40, costPerRequest: 4 }),
];
const four = ["digits-a", "digits-b", "digits-c", "digits-d"].map((name) => ({ name }));
const DRAWS = 100_000;

/** One request decided without the explanation, as the router's Infer asks. */
function decideLean(policy: CompiledPolicy, options: { random: () => number; load?: Record<string, number>; user?: string }): EvaluationResult {
  return evaluatePolicies({
    policies: [policy],
    catalogue: createModelCatalogue(models, 1n),
    profile: imageInput(),
    context: requestContext({ userId: options.user ?? "" }),
    now: NOON,
    random: options.random,
    load: (m) => options.load?.[m.name] ?? 0,
    explain: false,
  });
}

function weighted(weights: readonly number[], stickyKey = ""): CompiledPolicy {
  return strategyPolicy(
    Strategy.WEIGHTED,
    weights.map((weight, i) => ({ name: four[i]?.name ?? "", weight })),
    { stickyKey },
  );
}

describe("the propensity of a decision (the probability of its choice)", () => {
  it.each([
    ["first", Strategy.FIRST, ""],
    ["best", Strategy.BEST, "accuracy"],
    ["fastest", Strategy.FASTEST, ""],
    ["cheapest", Strategy.CHEAPEST, ""],
  ] as const)("is 1 for strategy %s, which is deterministic, with or without the explanation", (_, strategy, metric) => {
    const policy = strategyPolicy(strategy, four, { metric });
    expect(decideFor(policy, models).decision.propensity).toBe(1);
    expect(decideLean(policy, { random: seededRandom(1) }).decision.propensity).toBe(1);
  });

  it("is the drawn arm's share of the weight for a weighted split at random", () => {
    const policy = weighted([5, 3, 2]);
    const random = seededRandom(21);
    const shares: Record<string, number> = { "digits-a": 0.5, "digits-b": 0.3, "digits-c": 0.2 };
    for (let i = 0; i < 300; i++) {
      const result = decideLean(policy, { random });
      expect(result.decision.propensity).toBeCloseTo(shares[chosen(result)] ?? Number.NaN, 12);
    }
  });

  it("is the arm's share for a keyed (sticky) request too: the key's hash randomises over users", () => {
    const policy = weighted([7, 3], "user");
    const arms = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const result = decideFor(policy, models, { user: `user-${i}` });
      arms.add(chosen(result));
      expect(result.decision.propensity).toBeCloseTo(chosen(result) === "digits-a" ? 0.7 : 0.3, 12);
    }
    expect(arms).toEqual(new Set(["digits-a", "digits-b"]));
  });

  it("is the share among the eligible arms when a target is not eligible (not registered)", () => {
    const policy = strategyPolicy(Strategy.WEIGHTED, [
      { name: "digits-a", weight: 1 },
      { name: "digits-unregistered", weight: 6 },
      { name: "digits-b", weight: 3 },
    ]);
    const random = seededRandom(5);
    for (let i = 0; i < 100; i++) {
      const result = decideLean(policy, { random });
      expect(result.decision.propensity).toBeCloseTo(chosen(result) === "digits-a" ? 0.25 : 0.75, 12);
    }
  });

  it("is 1 on a route with one eligible candidate, whatever its strategy", () => {
    const onlyA = [model("digits-a", "1")];
    expect(decideFor(weighted([7, 3]), onlyA, { random: seededRandom(2) }).decision.propensity).toBe(1);
    const leastLoaded = strategyPolicy(Strategy.LEAST_LOADED, four);
    expect(decideFor(leastLoaded, onlyA, { random: seededRandom(2), load: { "digits-a": 9 } }).decision.propensity).toBe(1);
  });

  it("is 1 when every target fails the constraints and the first eligible fallback serves", () => {
    const policy = strategyPolicy(Strategy.LEAST_LOADED, [{ name: "digits-a" }, { name: "digits-b" }], {
      constraints: ["candidate.metrics.accuracy > 0.99"],
      fallbacks: ["digits-c"],
    });
    const result = decideFor(policy, models, { random: seededRandom(3) });
    expect(chosen(result)).toBe("digits-c");
    expect(result.decision.propensity).toBe(1);
  });

  it("is, for least_loaded over two candidates, 1 for the less loaded one and 1/2 on a tie", () => {
    const two = strategyPolicy(Strategy.LEAST_LOADED, [{ name: "digits-a" }, { name: "digits-b" }]);
    const uneven = decideLean(two, { random: seededRandom(4), load: { "digits-a": 6, "digits-b": 2 } });
    expect([chosen(uneven), uneven.decision.propensity]).toEqual(["digits-b", 1]);
    expect(decideLean(two, { random: seededRandom(4), load: { "digits-a": 2, "digits-b": 2 } }).decision.propensity).toBe(0.5);
  });

  it("is, for least_loaded, each candidate's frequency over 100,000 decisions within 0.01", () => {
    const policy = strategyPolicy(Strategy.LEAST_LOADED, four);
    const load = { "digits-a": 3, "digits-b": 1, "digits-c": 1, "digits-d": 7 };
    const random = seededRandom(17);
    const counts = new Map<string, number>();
    const propensities = new Map<string, number>();
    for (let i = 0; i < DRAWS; i++) {
      const result = decideLean(policy, { random, load });
      const name = chosen(result);
      counts.set(name, (counts.get(name) ?? 0) + 1);
      propensities.set(name, result.decision.propensity);
    }
    expect(counts.has("digits-d")).toBe(false);
    expect([...propensities.values()].every((p) => p > 0 && p <= 1)).toBe(true);
    for (const [name, count] of counts) {
      expect(Math.abs(count / DRAWS - (propensities.get(name) ?? 0))).toBeLessThanOrEqual(0.01);
    }
    expect(propensities.get("digits-b")).toBeCloseTo(5 / 12, 12);
    expect(propensities.get("digits-a")).toBeCloseTo(2 / 12, 12);
  });

  it.each([
    [[0, 0, 0]],
    [[5, 1]],
    [[4, 4, 9, 1, 4]],
    [[2, 8, 2, 8, 0, 3, 3]],
  ])("matches a 100,000-draw simulation of the power of two choices for loads %j within 0.01", (loads) => {
    const loadOf = (i: number): number => loads[i] ?? 0;
    const random = seededRandom(loads.length);
    const counts = new Array<number>(loads.length).fill(0);
    for (let i = 0; i < DRAWS; i++) {
      const picked = pickOfTwoChoices(loads.length, loadOf, random) ?? -1;
      counts[picked] = (counts[picked] ?? 0) + 1;
    }
    const exact = loads.map((_, i) => twoChoicesProbability(loads.length, loadOf, i));
    expect(exact.reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 12);
    exact.forEach((p, i) => expect(Math.abs((counts[i] ?? 0) / DRAWS - p)).toBeLessThanOrEqual(0.01));
  });

  it("is the same with and without the explanation for the same draws", () => {
    const policy = strategyPolicy(Strategy.LEAST_LOADED, four);
    const load = { "digits-a": 2, "digits-b": 5, "digits-c": 2, "digits-d": 0 };
    const explainedRandom = seededRandom(8);
    const leanRandom = seededRandom(8);
    for (let i = 0; i < 50; i++) {
      const explained = decideFor(policy, models, { random: explainedRandom, load });
      const lean = decideLean(policy, { random: leanRandom, load });
      expect([chosen(lean), lean.decision.propensity]).toEqual([chosen(explained), explained.decision.propensity]);
    }
  });
});
