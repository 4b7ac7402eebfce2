import { describe, expect, it } from "@jest/globals";
import { Strategy } from "@modelrouter/contracts";
import { ErrorReason, isDomainError } from "@modelrouter/errors";
import { type CandidateStats, type EvaluationInput, createModelCatalogue, declaredStats, evaluatePolicies } from "./index.js";
import { NOON, imageInput, requestContext } from "./policy-fixtures.test-support.js";
import { measuredModel, seededRandom, strategyPolicy } from "./strategy-fixtures.test-support.js";

const models = [
  measuredModel("digits-precise", { accuracy: 0.98, p50LatencyMs: 80 }),
  measuredModel("digits-balanced", { accuracy: 0.95, p50LatencyMs: 20 }),
  measuredModel("digits-quick", { accuracy: 0.9, p50LatencyMs: 4 }),
];
const all = [{ name: "digits-precise" }, { name: "digits-balanced" }, { name: "digits-quick" }];
const fastBest = strategyPolicy(Strategy.BEST, all, { metric: "accuracy", constraints: ["candidate.metrics.p50_latency_ms < 50.0"] });

function input(overrides: Partial<EvaluationInput> = {}): EvaluationInput {
  return {
    policies: [fastBest],
    catalogue: createModelCatalogue(models, 1n),
    profile: imageInput(),
    context: requestContext({ userId: "alice" }),
    now: NOON,
    random: seededRandom(9),
    ...overrides,
  };
}

function route(result: ReturnType<typeof evaluatePolicies>): string[] {
  const { decision } = result;
  return [decision.target?.model?.name ?? "", ...decision.fallbacks.map((f) => f.model?.name ?? "")];
}

describe("a decision without its explanation (explain: false)", () => {
  it.each([Strategy.FIRST, Strategy.BEST, Strategy.FASTEST, Strategy.CHEAPEST, Strategy.LEAST_LOADED])(
    "chooses the same target and fallbacks as the explained decision (Strategy enum %s)",
    (strategy) => {
      const policy = strategyPolicy(strategy, all, { metric: strategy === Strategy.BEST ? "f1" : "" });
      const load = (m: { name: string }) => (m.name === "digits-quick" ? 5 : 1);
      const explained = evaluatePolicies(input({ policies: [policy], load, random: seededRandom(4) }));
      const lean = evaluatePolicies(input({ policies: [policy], load, random: seededRandom(4), explain: false }));
      expect(route(lean)).toEqual(route(explained));
      expect(lean.decision.policy).toBe(explained.decision.policy);
      expect(lean.decision.explanation).toBeUndefined();
      expect(explained.decision.explanation?.candidates).toHaveLength(3);
    },
  );

  it("still explains why no model can serve, naming every candidate's reason", () => {
    const impossible = strategyPolicy(Strategy.BEST, all, { metric: "accuracy", constraints: ["candidate.metrics.accuracy > 0.99"] });
    let thrown: unknown;
    try {
      evaluatePolicies(input({ policies: [impossible], explain: false }));
    } catch (error) {
      thrown = error;
    }
    expect(isDomainError(thrown) && thrown.reason).toBe(ErrorReason.NO_SERVABLE_MODEL);
    expect(String((thrown as Error).message)).toContain("digits-quick@1 (default_route.targets[2]): fails default_route.constraints[0]");
  });
});

describe("decisions remembered per catalogue", () => {
  it("gives the same decision and explanation when asked again over the same catalogue, explained or not", () => {
    const catalogue = createModelCatalogue(models, 1n);
    const reasons = () => evaluatePolicies(input({ catalogue })).decision.explanation?.candidates.map((c) => c.reason);
    const lean = () => route(evaluatePolicies(input({ catalogue, explain: false })));
    const [first, second] = [reasons(), reasons()];
    expect(first).toHaveLength(3);
    expect(second).toEqual(first);
    expect(lean()).toEqual(["digits-balanced", "digits-quick"]);
    expect(lean()).toEqual(["digits-balanced", "digits-quick"]);
    expect(reasons()).toEqual(first);
  });

  it("follows a new catalogue whose figures changed", () => {
    const catalogue = createModelCatalogue(models, 1n);
    expect(route(evaluatePolicies(input({ catalogue })))[0]).toBe("digits-balanced");
    const faster = [measuredModel("digits-precise", { accuracy: 0.98, p50LatencyMs: 30 }), ...models.slice(1)];
    const next = createModelCatalogue(faster, 2n);
    expect(route(evaluatePolicies(input({ catalogue: next })))[0]).toBe("digits-precise");
    expect(route(evaluatePolicies(input({ catalogue })))[0]).toBe("digits-balanced");
  });

  it("asks a live statistics provider on every decision", () => {
    const catalogue = createModelCatalogue(models, 1n);
    let precise = 80;
    const stats = (model: (typeof models)[number]): CandidateStats =>
      model.name === "digits-precise" ? { ...declaredStats(model), p50LatencyMs: precise } : declaredStats(model);
    expect(route(evaluatePolicies(input({ catalogue, stats })))[0]).toBe("digits-balanced");
    precise = 25;
    expect(route(evaluatePolicies(input({ catalogue, stats })))[0]).toBe("digits-precise");
    expect(route(evaluatePolicies(input({ catalogue, stats, explain: false })))[0]).toBe("digits-precise");
  });
});
