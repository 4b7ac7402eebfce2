import { describe, expect, it } from "@jest/globals";
import { type Model, Strategy } from "@modelrouter/contracts";
import { type CompiledPolicy, type EvaluationResult, type GuardHealth, createModelCatalogue, evaluatePolicies } from "./index.js";
import { NOON, compiled, imageInput, requestContext } from "./policy-fixtures.test-support.js";
import { chosen, explained, measuredModel, seededRandom } from "./strategy-fixtures.test-support.js";

const models = [
  measuredModel("digits-a", { accuracy: 0.9 }),
  measuredModel("digits-b", { accuracy: 0.97 }),
  measuredModel("digits-c", { accuracy: 0.95 }),
  measuredModel("digits-general", { accuracy: 0.8 }),
];
const catalogue = createModelCatalogue(models, 1n);

function guardedPolicy(strategy: Strategy, targets: readonly string[], options: { probeShare?: number; weights?: number[] } = {}): CompiledPolicy {
  return compiled({
    name: "digits",
    rules: [
      {
        name: "guarded",
        when: "true",
        route: {
          strategy,
          targets: targets.map((name, i) => ({ kind: { case: "model", value: { name } }, weight: options.weights?.[i] ?? 0 })),
          fallbacks: [{ kind: { case: "model", value: { name: "digits-general" } } }],
          metric: strategy === Strategy.BEST ? "accuracy" : "",
          guard: { maxErrorRate: 0.1, ...(options.probeShare === undefined ? {} : { probeShare: options.probeShare }) },
        },
      },
    ],
  });
}

/** Health that marks these models degraded under policy "digits", rule "guarded". */
function degraded(...names: string[]): GuardHealth {
  return (policy, rule, model: Model) =>
    policy === "digits" && rule === "guarded" && names.includes(model.name)
      ? { degraded: true, reason: `error rate 0.5 over 40 attempts > max_error_rate 0.1 (${model.name})` }
      : undefined;
}

function decide(policy: CompiledPolicy, health: GuardHealth | undefined, random: () => number, explain = true): EvaluationResult {
  return evaluatePolicies({ policies: [policy], catalogue, profile: imageInput(), context: requestContext(), now: NOON, random, health, explain });
}

function fallbackNames(result: EvaluationResult): string[] {
  return result.decision.fallbacks.map((f) => f.model?.name ?? "");
}

describe("a guarded route with a degraded candidate", () => {
  const best = guardedPolicy(Strategy.BEST, ["digits-a", "digits-b", "digits-c"]);

  it("chooses as usual when nothing is degraded, or no health is given", () => {
    expect(chosen(decide(best, degraded(), () => 0.99))).toBe("digits-b");
    expect(chosen(decide(best, undefined, () => 0.99))).toBe("digits-b");
    expect(decide(best, degraded(), () => 0.99).decision.propensity).toBe(1);
  });

  it("keeps a degraded candidate out of the strategy's choice and makes it the last fallback, with the reason", () => {
    const result = decide(best, degraded("digits-b"), () => 0.5);
    expect(chosen(result)).toBe("digits-c");
    expect(fallbackNames(result)).toEqual(["digits-a", "digits-general", "digits-b"]);
    expect(result.decision.propensity).toBeCloseTo(0.95, 12);
    expect(explained(result)).toEqual([
      "digits-a: FALLBACK: fallback 1 of 3; not chosen by strategy best: accuracy 0.9 against digits-c's 0.95",
      "digits-b: FALLBACK: fallback 3 of 3; degraded: error rate 0.5 over 40 attempts > max_error_rate 0.1 (digits-b)",
      expect.stringMatching(/^digits-c: TARGET: /),
      "digits-general: FALLBACK: fallback 2 of 3",
    ]);
  });

  it("sends probe_share of requests to the degraded candidate as a probe, the healthy choice behind it", () => {
    const result = decide(best, degraded("digits-b"), () => 0.01);
    expect(chosen(result)).toBe("digits-b");
    expect(fallbackNames(result)).toEqual(["digits-c", "digits-a", "digits-general"]);
    expect(result.decision.propensity).toBeCloseTo(0.05, 12);
    expect(explained(result)[1]).toMatch(/^digits-b: TARGET: a probe of a degraded candidate .*; degraded: error rate 0.5/);
  });

  it("chooses as if none were degraded when every candidate is, saying so", () => {
    const result = decide(best, degraded("digits-a", "digits-b", "digits-c", "digits-general"), () => 0.01);
    expect(chosen(result)).toBe("digits-b");
    expect(result.decision.propensity).toBe(1);
    expect(explained(result)[1]).toContain("chosen as if none were degraded");
  });

  it("moves a degraded fallback last without probing it", () => {
    const result = decide(best, degraded("digits-general"), () => {
      throw new Error("no draw: no degraded target to probe");
    });
    expect(chosen(result)).toBe("digits-b");
    expect(fallbackNames(result)).toEqual(["digits-a", "digits-c", "digits-general"]);
    expect(result.decision.propensity).toBe(1);
  });

  it("decides the same with or without the explanation", () => {
    for (const draw of [0.01, 0.04, 0.5]) {
      const lean = decide(best, degraded("digits-b", "digits-a"), () => draw, false).decision;
      const full = decide(best, degraded("digits-b", "digits-a"), () => draw, true).decision;
      expect([lean.target, lean.fallbacks, lean.propensity]).toEqual([full.target, full.fallbacks, full.propensity]);
    }
  });

  it("records propensities that are the observed frequencies of each choice (weighted split, two degraded probes)", () => {
    const weighted = guardedPolicy(Strategy.WEIGHTED, ["digits-a", "digits-b", "digits-c"], { probeShare: 0.2, weights: [5, 3, 2] });
    const health = degraded("digits-a", "digits-c");
    const random = seededRandom(7);
    const counts = new Map<string, { n: number; propensity: number }>();
    const draws = 20_000;
    for (let i = 0; i < draws; i++) {
      const result = decide(weighted, health, random, false);
      const entry = counts.get(chosen(result)) ?? { n: 0, propensity: result.decision.propensity };
      expect(result.decision.propensity).toBe(entry.propensity);
      counts.set(chosen(result), { n: entry.n + 1, propensity: entry.propensity });
    }
    expect([...counts.keys()].sort()).toEqual(["digits-a", "digits-b", "digits-c"]);
    expect(counts.get("digits-a")?.propensity).toBeCloseTo(0.1, 12);
    expect(counts.get("digits-b")?.propensity).toBeCloseTo(0.8, 12);
    for (const { n, propensity } of counts.values()) expect(Math.abs(n / draws - propensity)).toBeLessThan(0.012);
  });
});
