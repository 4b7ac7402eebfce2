import { describe, expect, it } from "@jest/globals";
import { CandidateRole, type InputProfile, Modality, type Model, ModelStatus, type RequestContext } from "@modelrouter/contracts";
import { type DomainError, ErrorReason, isDomainError } from "@modelrouter/errors";
import {
  type CompiledPolicy,
  type EvaluationResult,
  createModelCatalogue,
  evaluatePolicies,
  explainPolicies,
  orderPolicies,
} from "./index.js";
import {
  NOON,
  compiled,
  imageInput,
  model,
  modelTarget,
  noRandom,
  requestContext,
  route,
  rule,
  textInput,
} from "./policy-fixtures.test-support.js";

interface Scenario {
  readonly policies: readonly CompiledPolicy[];
  readonly models: readonly Model[];
  readonly profile?: InputProfile;
  readonly context?: RequestContext;
}

function decide(s: Scenario): EvaluationResult {
  return evaluatePolicies({
    policies: s.policies,
    catalogue: createModelCatalogue(s.models, 5n),
    profile: s.profile ?? imageInput(),
    context: s.context,
    now: NOON,
    random: noRandom,
  });
}

function failure(s: Scenario): DomainError {
  try {
    decide(s);
  } catch (error) {
    if (isDomainError(error)) return error;
    throw error;
  }
  throw new Error("expected the evaluation to fail");
}

function refs(result: EvaluationResult): string[] {
  const all = [result.decision.target, ...result.decision.fallbacks];
  return all.map((t) => `${t?.model?.name}@${t?.model?.version}`);
}

function roles(result: EvaluationResult): string[] {
  return (result.decision.explanation?.candidates ?? []).map(
    (c) => `${c.model?.name}@${c.model?.version}:${CandidateRole[c.role]}:${c.reason}`,
  );
}

const models = [model("a", "1"), model("b", "1"), model("c", "1")];

/** A policy with a default route to model a, changed by `init`. */
function only(name: string, init: { priority?: number; when?: string; defaultRoute?: ReturnType<typeof route> } = {}): CompiledPolicy {
  return compiled({
    name,
    priority: init.priority ?? 0,
    when: init.when ?? "",
    defaultRoute: init.defaultRoute ?? route([modelTarget("a")]),
  });
}

describe("evaluatePolicies", () => {
  describe("which policy decides", () => {
    it("takes the applicable policies by priority, highest first, then by name", () => {
      const low = only("low", { priority: 1, defaultRoute: route([modelTarget("a")]) });
      const highB = only("high-b", { priority: 5, defaultRoute: route([modelTarget("b")]) });
      const highA = only("high-a", { priority: 5, defaultRoute: route([modelTarget("c")]) });
      const result = decide({ policies: [low, highB, highA], models });
      expect(result.decision.policy).toBe("high-a");
      expect(refs(result)).toEqual(["c@1"]);
      expect(orderPolicies([low, highB, highA]).map((p) => p.name)).toEqual(["high-a", "high-b", "low"]);
    });

    it("skips a policy whose condition is false, or fails at run time, and records why", () => {
      const images = only("images", { priority: 9, when: 'input.modality == "image"' });
      const broken = only("broken", { priority: 8, when: 'request.metadata["x"] == "y"' });
      const fallback = only("everything", { defaultRoute: route([modelTarget("b")]) });
      const anyModality = [model("a", "1"), model("b", "1", { modality: Modality.UNSPECIFIED })];
      const result = decide({ policies: [images, broken, fallback], models: anyModality, profile: textInput() });
      expect(result.decision.policy).toBe("everything");
      expect(result.decision.explanation?.policies.map((p) => [p.policy, p.applies, p.decided, p.note])).toEqual([
        ["images", false, false, "does not apply: its when is false"],
        ["broken", false, false, "does not apply: its when failed: No such key: x (line 1, column 1)"],
        ["everything", true, true, ""],
      ]);
    });

    it("passes the request on from a policy whose rules do not match and that has no default route", () => {
      const rulesOnly = compiled({ name: "rules-only", priority: 2, rules: [rule("gold", 'request.tier == "gold"', route([modelTarget("a")]))] });
      const catchAll = only("catch-all", { defaultRoute: route([modelTarget("b")]) });
      const result = decide({ policies: [rulesOnly, catchAll], models });
      expect(result.decision.policy).toBe("catch-all");
      const first = result.decision.explanation?.policies[0];
      expect(first?.note).toBe("matched no rule and has no default route");
      expect(first?.rules.map((r) => [r.rule, r.matched])).toEqual([["gold", false]]);
    });

    it("evaluates only the policy named by context.policy", () => {
      const preferred = only("preferred", { priority: 10, defaultRoute: route([modelTarget("a")]) });
      const pinned = only("pinned", { defaultRoute: route([modelTarget("b")]) });
      const result = decide({ policies: [preferred, pinned], models, context: requestContext({ policy: "pinned" }) });
      expect(result.decision.policy).toBe("pinned");
      expect(result.decision.explanation?.policies.map((p) => p.policy)).toEqual(["pinned"]);
    });

    it("fails with POLICY_NOT_FOUND when context.policy names a policy that is not loaded", () => {
      const error = failure({ policies: [only("p")], models, context: requestContext({ policy: "ghost" }) });
      expect(error.reason).toBe(ErrorReason.POLICY_NOT_FOUND);
      expect(error.metadata).toEqual({ policy: "ghost" });
    });

    it("fails with NO_ROUTE, listing what was evaluated, when no policy decides", () => {
      const images = only("images", { when: 'input.modality == "image"' });
      const gold = compiled({ name: "gold", rules: [rule("gold", 'request.tier == "gold"', route([modelTarget("a")]))] });
      const error = failure({ policies: [images, gold], models, profile: textInput() });
      expect(error.reason).toBe(ErrorReason.NO_ROUTE);
      expect(error.message).toBe(
        'no policy decided the route: policy "gold" matched no rule and has no default route; ' +
          'policy "images" does not apply: its when is false',
      );
      expect(error.metadata).toEqual({ policies: "gold,images" });
      expect(failure({ policies: [], models }).message).toContain("no policy is loaded");
    });
  });

  describe("rules", () => {
    const tiers = compiled({
      name: "tiers",
      rules: [
        rule("gold", 'request.tier == "gold"', route([modelTarget("a")])),
        rule("broken", 'request.metadata["missing"] == "x"', route([modelTarget("c")])),
        rule("silver", 'request.tier == "silver" || request.tier == "gold"', route([modelTarget("b")])),
      ],
      defaultRoute: route([modelTarget("c")]),
    });

    it("lets the first matching rule decide, and records only the rules evaluated", () => {
      const result = decide({ policies: [tiers], models, context: requestContext({ tier: "gold" }) });
      expect(result.decision.rule).toBe("gold");
      expect(result.decision.explanation?.policies[0]?.rules.map((r) => r.rule)).toEqual(["gold"]);
    });

    it("reads a run-time error as no match and goes on to the next rule", () => {
      const result = decide({ policies: [tiers], models, context: requestContext({ tier: "silver" }) });
      expect(result.decision.rule).toBe("silver");
      expect(result.decision.explanation?.policies[0]?.rules.map((r) => [r.rule, r.matched, r.error])).toEqual([
        ["gold", false, ""],
        ["broken", false, "No such key: missing (line 1, column 1)"],
        ["silver", true, ""],
      ]);
    });

    it("uses the default route when no rule matches, with an empty rule name", () => {
      const result = decide({ policies: [tiers], models, context: requestContext({ tier: "bronze" }) });
      expect(result.decision.rule).toBe("");
      expect(refs(result)).toEqual(["c@1"]);
      expect(result.decision.explanation?.summary).toBe('policy "tiers" default route chose c@1');
    });
  });

  describe("the decision", () => {
    it("carries the target's backend, the policy revision and the catalogue revision", () => {
      const p = compiled({ name: "p", revision: 17n, defaultRoute: route([modelTarget("a")]) });
      const result = decide({ policies: [p], models });
      expect(result.decision.target?.backend?.kind).toEqual({ case: "onnx", value: expect.objectContaining({ uri: "a-1.onnx" }) });
      expect(result.decision.policyRevision).toBe(17n);
      expect(result.decision.catalogueRevision).toBe(5n);
      expect(result.target.name).toBe("a");
    });

    it("explains every candidate with its role and reason, and summarises in one line", () => {
      const catalogue = [model("a", "1"), model("t", "1", { modality: Modality.TEXT }), model("b", "2"), model("c", "1")];
      const p = compiled({
        name: "p",
        rules: [rule("r", "true", route([modelTarget("t"), modelTarget("a"), modelTarget("b")], [modelTarget("c"), modelTarget("gone")]))],
      });
      const result = decide({ policies: [p], models: catalogue });
      expect(roles(result)).toEqual([
        "t@1:REJECTED:accepts text; input is image",
        "a@1:TARGET:the first eligible target (strategy first)",
        "b@2:FALLBACK:fallback 1 of 2",
        "c@1:FALLBACK:fallback 2 of 2",
        "gone@:REJECTED:not registered",
      ]);
      expect(result.decision.explanation?.summary).toBe('policy "p" rule "r" chose a@1; fallbacks: b@2, c@1');
      expect(result.fallbacks.map((m) => m.name)).toEqual(["b", "c"]);
    });
  });

  describe("eligibility", () => {
    it("accepts a model of the input's modality or of unspecified modality, and rejects others with the reason", () => {
      const catalogue = [
        model("image-model", "1"),
        model("any-model", "1", { modality: Modality.UNSPECIFIED }),
        model("audio-model", "1", { modality: Modality.AUDIO }),
      ];
      const p = compiled({ name: "p", defaultRoute: route([modelTarget("audio-model"), modelTarget("any-model"), modelTarget("image-model")]) });
      const result = decide({ policies: [p], models: catalogue });
      expect(refs(result)).toEqual(["any-model@1", "image-model@1"]);
      expect(roles(result)[0]).toBe("audio-model@1:REJECTED:accepts audio; input is image");
    });

    it("fails with NO_SERVABLE_MODEL, listing every candidate and why, when the deciding route has none", () => {
      const catalogue = [model("image-model", "1"), model("old", "1", { status: ModelStatus.RETIRED })];
      const p = compiled({
        name: "p",
        rules: [rule("r", "true", route([modelTarget("image-model"), modelTarget("old", "1")], [modelTarget("ghost")]))],
      });
      const error = failure({ policies: [p], models: catalogue, profile: textInput() });
      expect(error.reason).toBe(ErrorReason.NO_SERVABLE_MODEL);
      expect(error.message).toBe(
        'policy "p" rule "r" has no servable model: ' +
          "image-model@1 (rules[0].route.targets[0]): accepts image; input is text; " +
          "old@1 (rules[0].route.targets[1]): retired: never served; " +
          "ghost (rules[0].route.fallbacks[0]): not registered",
      );
      expect(error.metadata).toEqual({ policy: "p", rule: "r", candidates: "image-model@1,old@1,ghost" });
    });

    it("keeps the explanation of a failed decision for Explain", () => {
      const p = compiled({ name: "p", defaultRoute: route([modelTarget("ghost")]) });
      const outcome = explainPolicies({ policies: [p], catalogue: models, profile: imageInput(), now: NOON, random: noRandom });
      expect(outcome.kind).toBe("failed");
      if (outcome.kind !== "failed") return;
      expect(outcome.explanation.candidates.map((c) => [c.model?.name, c.role, c.reason])).toEqual([
        ["ghost", CandidateRole.REJECTED, "not registered"],
      ]);
      expect(outcome.explanation.summary).toBe('policy "p" default route found no servable model');
    });
  });

  describe("fallbacks", () => {
    it("are the other eligible targets in order, then the eligible fallbacks in order", () => {
      const catalogue = ["a", "b", "c", "d", "e"].map((n) => model(n, "1"));
      const p = compiled({ name: "p", defaultRoute: route([modelTarget("a"), modelTarget("b")], [modelTarget("c"), modelTarget("d")]) });
      expect(refs(decide({ policies: [p], models: catalogue }))).toEqual(["a@1", "b@1", "c@1", "d@1"]);
    });

    it("serve from the first eligible fallback when no target is eligible", () => {
      const catalogue = [model("text-only", "1", { modality: Modality.TEXT }), model("b", "1"), model("c", "1")];
      const p = compiled({ name: "p", defaultRoute: route([modelTarget("text-only")], [modelTarget("b"), modelTarget("c")]) });
      const result = decide({ policies: [p], models: catalogue });
      expect(refs(result)).toEqual(["b@1", "c@1"]);
      expect(roles(result)[1]).toBe("b@1:TARGET:no target is eligible: the first eligible fallback");
    });

    it("never contain the target or a model twice, even when selectors overlap named targets", () => {
      const catalogue = [model("a", "1", { labels: { g: "x" } }), model("b", "1", { labels: { g: "x" } })];
      const p = compiled({
        name: "p",
        defaultRoute: route([modelTarget("a"), { kind: { case: "selector", value: { matchLabels: { g: "x" } } } }], [
          { kind: { case: "selector", value: { matchLabels: { g: "x" } } } },
        ]),
      });
      const result = decide({ policies: [p], models: catalogue });
      expect(refs(result)).toEqual(["a@1", "b@1"]);
      expect(roles(result)).toEqual([
        "a@1:TARGET:the first eligible target (strategy first)",
        "a@1:NOT_CHOSEN:model a is already a candidate (default_route.targets[0])",
        "b@1:FALLBACK:fallback 1 of 1",
        "a@1:NOT_CHOSEN:model a is already a candidate (default_route.targets[0])",
        "b@1:NOT_CHOSEN:model b is already a candidate (default_route.targets[1])",
      ]);
    });
  });
});
