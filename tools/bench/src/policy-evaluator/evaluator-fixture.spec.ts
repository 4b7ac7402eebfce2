import { describe, expect, it } from "@jest/globals";
import { evaluatePolicies, explainPolicies } from "@modelrouter/policy";
import { EXPECTED_TARGET, benchmarkInput, candidateName, compileBenchmarkPolicy } from "./evaluator-fixture.js";

describe("the policy evaluator benchmark's fixture", () => {
  it.each(["first", "last"] as const)("compiles to 20 rules without warnings with the deciding rule %s", (position) => {
    const { policy, warnings } = compileBenchmarkPolicy(position);
    expect(policy.rules).toHaveLength(20);
    expect(warnings).toEqual([]);
    expect(policy.rules[position === "first" ? 0 : 19]?.name).toBe("premium-best");
  });

  it.each(["first", "last"] as const)("decides by the premium-best rule when it stands %s", (position) => {
    const result = evaluatePolicies(benchmarkInput(position));
    expect(result.decision.rule).toBe("premium-best");
    expect(result.target.name).toBe(EXPECTED_TARGET);
  });

  it("evaluates every other rule's condition as false before the last rule decides", () => {
    const outcome = explainPolicies(benchmarkInput("last"));
    expect(outcome.kind).toBe("decided");
    const rules = outcome.kind === "decided" ? (outcome.result.decision.explanation?.policies[0]?.rules ?? []) : [];
    expect(rules.filter((r) => r.matched).map((r) => r.rule)).toEqual(["premium-best"]);
    expect(rules).toHaveLength(20);
    expect(rules.filter((r) => r.error !== "").map((r) => `${r.rule}: ${r.error}`)).toEqual([]);
  });

  it.each(["first", "last"] as const)("decides the same without the explanation when the rule stands %s", (position) => {
    const lean = evaluatePolicies(benchmarkInput(position, false));
    const explained = evaluatePolicies(benchmarkInput(position, true));
    expect(lean.decision.explanation).toBeUndefined();
    expect(lean.target.name).toBe(EXPECTED_TARGET);
    expect(lean.fallbacks.map((m) => m.name)).toEqual(explained.fallbacks.map((m) => m.name));
  });

  it("picks the most accurate candidate that is fast enough and evaluated on enough samples", () => {
    const result = evaluatePolicies(benchmarkInput("first"));
    const fallbacks = result.fallbacks.map((m) => m.name);
    expect(fallbacks).toHaveLength(12);
    expect(fallbacks).not.toContain(candidateName(13));
    expect(fallbacks).not.toContain(candidateName(14));
  });
});
