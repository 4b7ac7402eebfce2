import { describe, expect, it } from "@jest/globals";
import { Strategy } from "@modelrouter/contracts";
import { type CompiledPolicy, choiceDistribution, createModelCatalogue } from "./index.js";
import { NOON, compiled, imageInput, requestContext, textInput } from "./policy-fixtures.test-support.js";
import { measuredModel, strategyPolicy } from "./strategy-fixtures.test-support.js";

const models = [
  measuredModel("digits-a", { accuracy: 0.9, p50LatencyMs: 30 }),
  measuredModel("digits-b", { accuracy: 0.97, p50LatencyMs: 10 }),
  measuredModel("digits-c", { accuracy: 0.95, p50LatencyMs: 20 }),
];
const catalogue = createModelCatalogue(models, 1n);

function distribution(policy: CompiledPolicy, options: { user?: string; text?: boolean } = {}) {
  const found = choiceDistribution({
    policies: [policy],
    catalogue,
    profile: options.text === true ? textInput() : imageInput(),
    context: requestContext({ userId: options.user ?? "" }),
    now: NOON,
  });
  return { method: found.method, probabilities: Object.fromEntries(found.probabilities) };
}

describe("the probability with which a policy chooses each model for one request", () => {
  it("is 1 for the target of a deterministic strategy", () => {
    expect(distribution(strategyPolicy(Strategy.FASTEST, [{ name: "digits-a" }, { name: "digits-b" }]))).toEqual({
      method: "deterministic",
      probabilities: { "digits-b@1": 1 },
    });
  });

  it("is each arm's exact share for a weighted split at random, found by a few draws", () => {
    const split = strategyPolicy(Strategy.WEIGHTED, [
      { name: "digits-a", weight: 6 },
      { name: "digits-b", weight: 3 },
      { name: "digits-c", weight: 1 },
    ]);
    const found = distribution(split);
    expect(found.method).toBe("exact");
    expect(found.probabilities["digits-a@1"]).toBeCloseTo(0.6, 12);
    expect(found.probabilities["digits-b@1"]).toBeCloseTo(0.3, 12);
    expect(found.probabilities["digits-c@1"]).toBeCloseTo(0.1, 12);
  });

  it("is 1 for the arm of a keyed (sticky) weighted split, which the key decides, though its propensity is the share", () => {
    const sticky = strategyPolicy(Strategy.WEIGHTED, [{ name: "digits-a", weight: 1 }, { name: "digits-b", weight: 1 }], { stickyKey: "user" });
    const found = distribution(sticky, { user: "user-7" });
    expect(found.method).toBe("deterministic");
    expect(Object.values(found.probabilities)).toEqual([1]);
  });

  it("is empty when the policy decides no model for the request", () => {
    const imagesOnly = compiled({
      name: "images-only",
      rules: [{ name: "images", when: 'input.modality == "image"', route: { targets: [{ kind: { case: "model", value: { name: "digits-a" } } }] } }],
    });
    expect(distribution(imagesOnly, { text: true })).toEqual({ method: "undecided", probabilities: {} });
    expect(distribution(imagesOnly)).toEqual({ method: "deterministic", probabilities: { "digits-a@1": 1 } });
  });
});
