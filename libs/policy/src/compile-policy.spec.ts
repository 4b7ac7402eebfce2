import { describe, expect, it } from "@jest/globals";
import { LabelOperator, ModelStatus, Strategy } from "@modelrouter/contracts";
import { type CompileResult, type PolicyViolation, compilePolicy, createPolicyEnvironment } from "./index.js";
import {
  model,
  modelTarget,
  policy,
  route,
  rule,
  selectorTarget,
} from "./policy-fixtures.test-support.js";

function violations(result: CompileResult): readonly PolicyViolation[] {
  if (result.kind !== "invalid") throw new Error("expected the policy to be invalid");
  return result.violations;
}

function fields(result: CompileResult): string[] {
  return violations(result).map((v) => v.field);
}

function warnings(result: CompileResult): readonly string[] {
  if (result.kind !== "compiled") throw new Error(`expected the policy to compile: ${JSON.stringify(result)}`);
  return result.warnings;
}

const simpleRoute = route([modelTarget("digits-general")]);

describe("compilePolicy", () => {
  it("compiles a valid policy, keeping its name, priority, revision and rules, without warnings", () => {
    const result = compilePolicy(
      policy({
        name: "digits",
        priority: 10,
        revision: 42n,
        when: 'input.modality == "image"',
        rules: [rule("lowres", "input.image.width <= 16", route([modelTarget("digits-lowres", "1")]))],
        defaultRoute: simpleRoute,
      }),
    );
    expect(result.kind).toBe("compiled");
    if (result.kind !== "compiled") return;
    expect(result.warnings).toEqual([]);
    expect(result.policy.name).toBe("digits");
    expect(result.policy.priority).toBe(10);
    expect(result.policy.revision).toBe(42n);
    expect(result.policy.rules.map((r) => r.name)).toEqual(["lowres"]);
    expect(result.policy.defaultRoute?.path).toBe("default_route");
  });

  it("accepts a shared environment", () => {
    const environment = createPolicyEnvironment();
    const make = (name: string) => policy({ name, defaultRoute: simpleRoute });
    expect(compilePolicy(make("a"), { environment }).kind).toBe("compiled");
    expect(compilePolicy(make("b"), { environment }).kind).toBe("compiled");
  });

  describe("names", () => {
    it.each([
      ["", "is required"],
      ["Digits", "is not a valid policy name"],
      ["digits-", "is not a valid policy name"],
      ["9digits", "is not a valid policy name"],
      ["d".repeat(64), "is not a valid policy name"],
      ["a_b", "is not a valid policy name"],
    ])("rejects the policy name %j", (name, text) => {
      const found = violations(compilePolicy(policy({ name, defaultRoute: simpleRoute })));
      expect(found).toEqual([{ field: "name", description: expect.stringContaining(text) }]);
    });

    it.each(["a", "digits-2", `a${"b".repeat(61)}c`])("accepts the policy name %j", (name) => {
      expect(compilePolicy(policy({ name, defaultRoute: simpleRoute })).kind).toBe("compiled");
    });

    it("rejects missing, malformed and duplicate rule names, naming each rule", () => {
      const result = compilePolicy(
        policy({
          name: "p",
          rules: [
            rule("", "true", simpleRoute),
            rule("Upper", "true", simpleRoute),
            rule("same", "true", simpleRoute),
            rule("same", "false", simpleRoute),
          ],
        }),
      );
      expect(violations(result)).toEqual([
        { field: "rules[0].name", description: expect.stringContaining("is required") },
        { field: "rules[1].name", description: expect.stringContaining("is not a valid rule name") },
        { field: "rules[3].name", description: expect.stringContaining("already the name of rules[2]") },
      ]);
    });
  });

  describe("rules and routes", () => {
    it("rejects a policy with no rules and no default route", () => {
      expect(violations(compilePolicy(policy({ name: "p" })))).toEqual([
        { field: "rules", description: expect.stringContaining("at least one rule or a default_route") },
      ]);
    });

    it("rejects more than 256 rules", () => {
      const rules = Array.from({ length: 257 }, (_, i) => rule(`r${i}`, `request.tier == "t${i}"`, simpleRoute));
      expect(violations(compilePolicy(policy({ name: "p", rules })))).toEqual([
        { field: "rules", description: "has 257 rules; a policy may have at most 256" },
      ]);
      const rules256 = rules.slice(0, 256);
      expect(compilePolicy(policy({ name: "p", rules: rules256 })).kind).toBe("compiled");
    });

    it("rejects a rule without a condition (empty or blank) and a rule without a route", () => {
      const result = compilePolicy(
        policy({
          name: "p",
          rules: [rule("a", "", simpleRoute), rule("b", "   ", simpleRoute), { name: "c", when: "true" }],
        }),
      );
      expect(violations(result)).toEqual([
        { field: "rules[0].when", description: expect.stringContaining("is required") },
        { field: "rules[1].when", description: expect.stringContaining("is required") },
        { field: "rules[2].route", description: expect.stringContaining("is required") },
      ]);
    });

    it("rejects a route without targets, in a rule and in the default route", () => {
      const result = compilePolicy(
        policy({ name: "p", rules: [rule("a", "true", route([]))], defaultRoute: route([], [modelTarget("x")]) }),
      );
      expect(fields(result)).toEqual(["rules[0].route.targets", "default_route.targets"]);
    });

    it("rejects a target without a kind", () => {
      const result = compilePolicy(policy({ name: "p", defaultRoute: { targets: [modelTarget("a"), {}], fallbacks: [{}] } }));
      expect(violations(result)).toEqual([
        { field: "default_route.targets[1]", description: expect.stringContaining("has no kind") },
        { field: "default_route.fallbacks[0]", description: expect.stringContaining("has no kind") },
      ]);
    });

    it("rejects a model target without a name, with a bad name or with a bad version", () => {
      const result = compilePolicy(
        policy({
          name: "p",
          defaultRoute: route([modelTarget(""), modelTarget("Bad"), modelTarget("ok", "1 2")], [modelTarget("fine", "x".repeat(64))]),
        }),
      );
      expect(violations(result)).toEqual([
        { field: "default_route.targets[0].model.name", description: expect.stringContaining("is required") },
        { field: "default_route.targets[1].model.name", description: expect.stringContaining("is not a valid model name") },
        { field: "default_route.targets[2].model.version", description: expect.stringContaining("is not a valid version") },
        { field: "default_route.fallbacks[0].model.version", description: expect.stringContaining("is not a valid version") },
      ]);
    });

    it.each(["-1", ".1", "_a"])("rejects the version %j, which the registry refuses too, at its path", (version) => {
      const result = compilePolicy(
        policy({ name: "p", rules: [rule("r", "true", route([modelTarget("a")], [modelTarget("m", version)]))] }),
      );
      expect(violations(result)).toEqual([
        {
          field: "rules[0].route.fallbacks[0].model.version",
          description: expect.stringContaining("starting with a letter or digit"),
        },
      ]);
    });

    it.each(["1", "2024-06-01", "v1.2_rc-3", "A".repeat(63)])("accepts the version %j", (version) => {
      expect(compilePolicy(policy({ name: "p", defaultRoute: route([modelTarget("m", version)]) })).kind).toBe("compiled");
    });

    it("rejects a model named twice in one route's targets and fallbacks, whatever the versions", () => {
      const result = compilePolicy(
        policy({
          name: "p",
          rules: [rule("r", "true", route([modelTarget("a", "1"), modelTarget("b"), modelTarget("a", "2")], [modelTarget("b")]))],
        }),
      );
      expect(violations(result)).toEqual([
        {
          field: "rules[0].route.targets[2].model.name",
          description: expect.stringContaining('names model "a" again (already at targets[0])'),
        },
        {
          field: "rules[0].route.fallbacks[0].model.name",
          description: expect.stringContaining('names model "b" again (already at targets[1])'),
        },
      ]);
    });

    it("allows the same model in different routes", () => {
      const result = compilePolicy(
        policy({ name: "p", rules: [rule("r", "request.tier == \"a\"", simpleRoute)], defaultRoute: simpleRoute }),
      );
      expect(result.kind).toBe("compiled");
    });

    it("rejects more than 64 targets and fallbacks in one route", () => {
      const many = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => modelTarget(`${prefix}${i}`));
      expect(violations(compilePolicy(policy({ name: "p", defaultRoute: route(many(40, "t"), many(25, "f")) })))).toEqual([
        { field: "default_route.fallbacks", description: expect.stringContaining("has 65 targets and fallbacks") },
      ]);
      expect(fields(compilePolicy(policy({ name: "p", defaultRoute: route(many(65, "t")) })))).toEqual([
        "default_route.targets",
      ]);
      expect(compilePolicy(policy({ name: "p", defaultRoute: route(many(40, "t"), many(24, "f")) })).kind).toBe("compiled");
    });

    it("rejects an unknown strategy and reads UNSPECIFIED as FIRST", () => {
      expect(violations(compilePolicy(policy({ name: "p", defaultRoute: route([modelTarget("a")], [], 99 as Strategy) })))).toEqual([
        { field: "default_route.strategy", description: expect.stringContaining("99 is not a known strategy") },
      ]);
      const first = compilePolicy(policy({ name: "p", defaultRoute: route([modelTarget("a")], [], Strategy.FIRST) }));
      const unspecified = compilePolicy(policy({ name: "p", defaultRoute: route([modelTarget("a")]) }));
      expect(first.kind === "compiled" && first.policy.defaultRoute?.strategy.name).toBe("first");
      expect(unspecified.kind === "compiled" && unspecified.policy.defaultRoute?.strategy.name).toBe("first");
    });
  });

  describe("label selectors", () => {
    const withSelector = (target: ReturnType<typeof selectorTarget>) =>
      compilePolicy(policy({ name: "p", defaultRoute: route([target]) }));

    it("rejects label keys and values that break the Kubernetes rules", () => {
      const result = withSelector(
        selectorTarget({ "bad key": "v", ok: "bad value!", "Example.com/x": "v", [`${"k".repeat(64)}`]: "v" }),
      );
      expect(violations(result)).toEqual([
        { field: 'default_route.targets[0].selector.match_labels["Example.com/x"]', description: expect.stringContaining("invalid prefix") },
        { field: 'default_route.targets[0].selector.match_labels["bad key"]', description: expect.stringContaining("not a valid label key") },
        { field: `default_route.targets[0].selector.match_labels["${"k".repeat(64)}"]`, description: expect.stringContaining("not a valid label key") },
        { field: 'default_route.targets[0].selector.match_labels["ok"]', description: expect.stringContaining("not a valid label value") },
      ]);
    });

    it("rejects a selector with more requirements than a model may carry labels, and accepts one at the limit", () => {
      const labels = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, "v"]));
      expect(violations(withSelector(selectorTarget(labels(65))))).toEqual([
        { field: "default_route.targets[0].selector", description: expect.stringContaining("has 65 requirements") },
      ]);
      expect(withSelector(selectorTarget(labels(64))).kind).toBe("compiled");
    });

    it("accepts prefixed keys and empty values", () => {
      expect(withSelector(selectorTarget({ "example.com/tier": "", domain: "medical_1.a-b" })).kind).toBe("compiled");
    });

    it("checks each requirement's operator against its values", () => {
      const result = withSelector(
        selectorTarget({}, [
          { key: "tier", operator: LabelOperator.IN },
          { key: "tier", operator: LabelOperator.NOT_IN, values: [] },
          { key: "gpu", operator: LabelOperator.EXISTS, values: ["yes"] },
          { key: "legacy", operator: LabelOperator.DOES_NOT_EXIST, values: ["x"] },
          { key: "x", operator: LabelOperator.UNSPECIFIED },
          { key: "y", operator: 9 as LabelOperator, values: ["a"] },
          { key: "", operator: LabelOperator.IN, values: ["ok", "not ok"] },
        ]),
      );
      const base = "default_route.targets[0].selector.match_expressions";
      expect(violations(result)).toEqual([
        { field: `${base}[0].values`, description: expect.stringContaining("IN needs at least one value") },
        { field: `${base}[1].values`, description: expect.stringContaining("NOT_IN needs at least one value") },
        { field: `${base}[2].values`, description: expect.stringContaining("EXISTS takes no values") },
        { field: `${base}[3].values`, description: expect.stringContaining("DOES_NOT_EXIST takes no values") },
        { field: `${base}[4].operator`, description: expect.stringContaining("is required") },
        { field: `${base}[5].operator`, description: expect.stringContaining("9 is not a known operator") },
        { field: `${base}[6].key`, description: expect.stringContaining("is empty") },
        { field: `${base}[6].values[1]`, description: expect.stringContaining("not a valid label value") },
      ]);
    });

    it("warns that an empty selector selects every model, and that a repeated selector is redundant", () => {
      const result = compilePolicy(
        policy({
          name: "p",
          defaultRoute: route([selectorTarget({}), selectorTarget({ a: "b" })], [selectorTarget({ a: "b" })]),
        }),
      );
      expect(warnings(result)).toEqual([
        expect.stringMatching(/^default_route\.targets\[0\]\.selector: has no labels or expressions/),
        "default_route.fallbacks[0].selector: selects the same models as targets[1]; remove one",
      ]);
    });
  });

  it("reports every problem of a policy at once, in field order", () => {
    const result = compilePolicy(
      policy({
        name: "Bad",
        when: "input.sizebytes > 0",
        rules: [rule("ok", "true", route([{}])), rule("ok", "1", route([modelTarget("m", "?")]))],
        defaultRoute: route([]),
      }),
    );
    expect(fields(result)).toEqual([
      "name",
      "when",
      "rules[0].route.targets[0]",
      "rules[1].name",
      "rules[1].when",
      "rules[1].route.targets[0].model.version",
      "default_route.targets",
    ]);
  });

  describe("warnings", () => {
    it("warns that rules after an always-true rule, and the default route, are unreachable", () => {
      const result = compilePolicy(
        policy({
          name: "p",
          rules: [
            rule("first", 'request.tier == "gold"', simpleRoute),
            rule("catch-all", "true", simpleRoute),
            rule("late", 'request.tier == "silver"', simpleRoute),
          ],
          defaultRoute: simpleRoute,
        }),
      );
      expect(warnings(result)).toEqual([
        'rules[2]: is unreachable: rules[1] ("catch-all") always matches and comes first',
        'default_route: is unreachable: rules[1] ("catch-all") always matches',
      ]);
    });

    it("treats any constant expression that is true as always matching", () => {
      const result = compilePolicy(
        policy({ name: "p", rules: [rule("a", "1 < 2 && [1, 2].exists(x, x == 2)", simpleRoute), rule("b", "request.tier == \"x\"", simpleRoute)] }),
      );
      expect(warnings(result)).toEqual(['rules[1]: is unreachable: rules[0] ("a") always matches and comes first']);
    });

    it("warns about a rule that never matches: constantly false, always failing, or repeating an earlier condition", () => {
      const result = compilePolicy(
        policy({
          name: "p",
          rules: [
            rule("never", "1 > 2", simpleRoute),
            rule("fails", "1 / 0 == 1", simpleRoute),
            rule("gold", 'request.tier == "gold"', simpleRoute),
            rule("gold-again", ' request.tier == "gold"', simpleRoute),
          ],
        }),
      );
      expect(warnings(result)).toEqual([
        "rules[0].when: is always false, so the rule never matches",
        expect.stringMatching(/^rules\[1\]\.when: always fails at run time \(division by zero.*\), so the rule never matches$/),
        'rules[3]: never matches: rules[2] ("gold") has the same condition and comes first',
      ]);
    });

    it("warns about a policy whose condition is always false", () => {
      expect(warnings(compilePolicy(policy({ name: "p", when: "false", defaultRoute: simpleRoute })))).toEqual([
        "when: is always false, so the policy never applies",
      ]);
    });

    it("warns, given the catalogue, about targets that resolve to nothing", () => {
      const catalogue = [
        model("known", "1"),
        model("other", "1"),
        model("retired", "1", { status: ModelStatus.RETIRED }),
        model("staging-only", "1", { status: ModelStatus.STAGING }),
      ];
      const result = compilePolicy(
        policy({
          name: "p",
          defaultRoute: route(
            [modelTarget("known"), modelTarget("other", "2"), modelTarget("unknown"), modelTarget("retired", "1")],
            [modelTarget("staging-only"), selectorTarget({ domain: "nothing" })],
          ),
        }),
        { catalogue },
      );
      expect(warnings(result)).toEqual([
        'default_route.targets[1].model: version "2" of model "other" is not registered',
        'default_route.targets[2].model: model "unknown" is not registered',
        "default_route.targets[3].model: retired@1 is retired and is never served",
        'default_route.fallbacks[0].model: model "staging-only" has no active or deprecated version, so it is not served without a version',
        "default_route.fallbacks[1].selector: matches no active or deprecated model yet",
      ]);
    });
  });

  it("never throws, even for a malformed message", () => {
    const malformed = { name: "p", rules: [null, { name: "r", when: "true", route: { targets: [null] } }] } as unknown;
    const result = compilePolicy(malformed as Parameters<typeof compilePolicy>[0]);
    expect(result.kind).toBe("invalid");
  });
});
