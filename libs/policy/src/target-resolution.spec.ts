import { describe, expect, it } from "@jest/globals";
import { LabelOperator, type Model, ModelStatus } from "@modelrouter/contracts";
import { compareVersions, createModelCatalogue, evaluatePolicies, explainPolicies } from "./index.js";
import {
  NOON,
  compiled,
  imageInput,
  model,
  modelTarget,
  noRandom,
  route,
  selectorTarget,
} from "./policy-fixtures.test-support.js";

type TargetInit = ReturnType<typeof modelTarget>;

/** The candidates a route of these targets resolves to, as "name@version" (eligible or not), in order. */
function candidates(targets: TargetInit[], models: readonly Model[]): string[] {
  const p = compiled({ name: "p", defaultRoute: route(targets) });
  const outcome = explainPolicies({ policies: [p], catalogue: models, profile: imageInput(), now: NOON, random: noRandom });
  const explanation = outcome.kind === "decided" ? outcome.result.decision.explanation : outcome.explanation;
  return (explanation?.candidates ?? []).map((c) => `${c.model?.name}@${c.model?.version}`);
}

function target(targets: TargetInit[], models: readonly Model[]): string {
  const p = compiled({ name: "p", defaultRoute: route(targets) });
  const result = evaluatePolicies({ policies: [p], catalogue: models, profile: imageInput(), now: NOON, random: noRandom });
  return `${result.decision.target?.model?.name}@${result.decision.target?.model?.version}`;
}

describe("target resolution", () => {
  describe("a model target with a version", () => {
    it("resolves to that version in any status but RETIRED, staging included", () => {
      const models = [
        model("m", "1", { status: ModelStatus.STAGING }),
        model("m", "2", { status: ModelStatus.DEPRECATED }),
        model("m", "3", { status: ModelStatus.RETIRED }),
        model("n", "1"),
      ];
      expect(target([modelTarget("m", "1")], models)).toBe("m@1");
      expect(target([modelTarget("m", "2")], models)).toBe("m@2");
      expect(target([modelTarget("m", "3"), modelTarget("n")], models)).toBe("n@1");
    });

    it("is rejected as not registered when the version is unknown", () => {
      expect(candidates([modelTarget("m", "9")], [model("m", "1")])).toEqual(["m@9"]);
    });
  });

  describe("a model target without a version", () => {
    it("resolves to the latest ACTIVE or DEPRECATED version by creation time", () => {
      const models = [
        model("m", "3", { createdMs: 1000, status: ModelStatus.ACTIVE }),
        model("m", "1", { createdMs: 3000, status: ModelStatus.DEPRECATED }),
        model("m", "2", { createdMs: 2000, status: ModelStatus.ACTIVE }),
        model("m", "4", { createdMs: 4000, status: ModelStatus.STAGING }),
        model("m", "5", { createdMs: 5000, status: ModelStatus.RETIRED }),
      ];
      expect(target([modelTarget("m")], models)).toBe("m@1");
    });

    it("breaks creation-time ties by version, compared naturally", () => {
      const models = [model("m", "9", { createdMs: 1000 }), model("m", "10", { createdMs: 1000 }), model("m", "2", { createdMs: 1000 })];
      expect(target([modelTarget("m")], models)).toBe("m@10");
      expect(target([modelTarget("m")], [model("m", "a"), model("m", "b")])).toBe("m@b");
    });

    it("treats a version without creation time as the oldest", () => {
      expect(target([modelTarget("m")], [model("m", "2"), model("m", "1", { createdMs: 1 })])).toBe("m@1");
    });

    it("is rejected when the model has no servable version, or is not registered", () => {
      const p = compiled({ name: "p", defaultRoute: route([modelTarget("m"), modelTarget("ghost")]) });
      const outcome = explainPolicies({
        policies: [p],
        catalogue: [model("m", "1", { status: ModelStatus.STAGING })],
        profile: imageInput(),
        now: NOON,
        random: noRandom,
      });
      expect(outcome.kind === "failed" && outcome.explanation.candidates.map((c) => [c.model?.name, c.model?.version, c.reason])).toEqual([
        ["m", "", "has no active or deprecated version (name a staging version to serve it)"],
        ["ghost", "", "not registered"],
      ]);
    });
  });

  describe("a label selector", () => {
    const models = [
      model("zeta", "1", { labels: { domain: "medical", tier: "gold" } }),
      model("alpha", "1", { labels: { domain: "medical", tier: "silver" }, createdMs: 1 }),
      model("alpha", "2", { labels: { domain: "medical", tier: "silver" }, createdMs: 2 }),
      model("alpha", "3", { labels: { domain: "medical" }, createdMs: 3, status: ModelStatus.STAGING }),
      model("beta", "1", { labels: { domain: "digits", legacy: "true" } }),
      model("gamma", "1", { labels: { domain: "medical" }, status: ModelStatus.RETIRED }),
      model("delta", "1", { labels: { domain: "medical", tier: "bronze" }, status: ModelStatus.DEPRECATED }),
    ];

    it("selects every ACTIVE or DEPRECATED match, one latest version per model, in name order", () => {
      expect(candidates([selectorTarget({ domain: "medical" })], models)).toEqual(["alpha@2", "delta@1", "zeta@1"]);
    });

    it("requires every match_labels entry", () => {
      expect(candidates([selectorTarget({ domain: "medical", tier: "gold" })], models)).toEqual(["zeta@1"]);
    });

    it("supports IN, NOT_IN (which a missing label satisfies), EXISTS and DOES_NOT_EXIST, all ANDed", () => {
      const select = (expressions: Parameters<typeof selectorTarget>[1]) => candidates([selectorTarget({}, expressions)], models);
      expect(select([{ key: "tier", operator: LabelOperator.IN, values: ["gold", "bronze"] }])).toEqual(["delta@1", "zeta@1"]);
      expect(select([{ key: "tier", operator: LabelOperator.NOT_IN, values: ["gold", "silver"] }])).toEqual(["beta@1", "delta@1"]);
      expect(select([{ key: "legacy", operator: LabelOperator.EXISTS }])).toEqual(["beta@1"]);
      expect(select([{ key: "tier", operator: LabelOperator.DOES_NOT_EXIST }])).toEqual(["beta@1"]);
      expect(
        select([
          { key: "domain", operator: LabelOperator.IN, values: ["medical"] },
          { key: "tier", operator: LabelOperator.NOT_IN, values: ["bronze"] },
        ]),
      ).toEqual(["alpha@2", "zeta@1"]);
    });

    it("picks the latest version among those that match, so a new labelled version joins without editing", () => {
      const versions = [
        model("m", "1", { labels: { domain: "medical" }, createdMs: 1 }),
        model("m", "2", { labels: { domain: "other" }, createdMs: 2 }),
      ];
      expect(candidates([selectorTarget({ domain: "medical" })], versions)).toEqual(["m@1"]);
      const joined = [...versions, model("m", "3", { labels: { domain: "medical" }, createdMs: 3 })];
      expect(candidates([selectorTarget({ domain: "medical" })], joined)).toEqual(["m@3"]);
    });

    it("names a selector that matches nothing in the NO_SERVABLE_MODEL message", () => {
      const p = compiled({ name: "p", defaultRoute: route([selectorTarget({ domain: "space" })]) });
      expect(() => evaluatePolicies({ policies: [p], catalogue: models, profile: imageInput(), now: NOON, random: noRandom })).toThrow(
        'policy "p" default route has no servable model: default_route.targets[0] (domain=space) matches no active or deprecated model',
      );
    });
  });
});

describe("createModelCatalogue", () => {
  it("indexes versions by name, newest first, and keeps the last of a repeated version", () => {
    const catalogue = createModelCatalogue(
      [model("b", "1", { createdMs: 1 }), model("a", "1", { createdMs: 1 }), model("b", "2", { createdMs: 2 }), model("a", "1", { createdMs: 1, uri: "new" })],
      3n,
    );
    expect(catalogue.revision).toBe(3n);
    expect(catalogue.models.map((m) => `${m.name}@${m.version}`)).toEqual(["a@1", "b@2", "b@1"]);
    expect(catalogue.versions("b").map((m) => m.version)).toEqual(["2", "1"]);
    expect(catalogue.find("a", "1")?.backend?.kind.value).toEqual(expect.objectContaining({ uri: "new" }));
    expect(catalogue.latest("b")?.version).toBe("2");
    expect(catalogue.versions("nope")).toEqual([]);
  });
});

describe("compareVersions", () => {
  it.each([
    ["1", "2", -1],
    ["2", "10", -1],
    ["1.9", "1.10", -1],
    ["2024-06-01", "2024-06-10", -1],
    ["v1", "v1", 0],
    ["1.0", "1.0.1", -1],
    ["b", "a", 1],
    ["01", "1", 1],
  ])("compares %j with %j as %d", (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
    expect(Math.sign(compareVersions(b, a))).toBe(sign === 0 ? 0 : -sign);
  });
});
