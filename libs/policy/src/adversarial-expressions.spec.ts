import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "@jest/globals";
import { InputProfileSchema, Modality, type RequestContext } from "@modelrouter/contracts";
import { type PolicyViolation, compilePolicy, explainPolicies } from "./index.js";
import {
  NOON,
  imageInput,
  model,
  modelTarget,
  noRandom,
  policy,
  requestContext,
  route,
  rule,
} from "./policy-fixtures.test-support.js";

function compileWhen(when: string) {
  return compilePolicy(policy({ name: "p", rules: [rule("r", when, route([modelTarget("m")]))], defaultRoute: route([modelTarget("d")]) }));
}

function rejection(when: string): PolicyViolation {
  const result = compileWhen(when);
  if (result.kind !== "invalid") throw new Error(`expected ${when.slice(0, 60)} to be rejected`);
  expect(result.violations).toHaveLength(1);
  return result.violations[0] as PolicyViolation;
}

/** Compiles and evaluates `when`; returns whether it matched and the run-time error, never throwing. */
function run(when: string, context: RequestContext = requestContext(), profile = imageInput()) {
  const result = compileWhen(when);
  if (result.kind !== "compiled") throw new Error(`expected ${when} to compile: ${JSON.stringify(result.violations)}`);
  const outcome = explainPolicies({
    policies: [result.policy],
    catalogue: [model("m", "1", { modality: Modality.UNSPECIFIED }), model("d", "1", { modality: Modality.UNSPECIFIED })],
    profile,
    context,
    now: NOON,
    random: noRandom,
  });
  if (outcome.kind !== "decided") throw outcome.error;
  const evaluation = outcome.result.decision.explanation?.policies[0]?.rules[0];
  return { matched: evaluation?.matched ?? false, error: evaluation?.error ?? "" };
}

describe("adversarial expressions", () => {
  describe("size and depth", () => {
    it("rejects deep nesting by the depth limit, with a position", () => {
      const deep = `${"(".repeat(2000)}true${")".repeat(2000)}`;
      const violation = rejection(deep);
      expect(violation.description).toContain("Exceeded maxDepth (32)");
      expect(violation.position?.line).toBe(1);
    });

    it("rejects 10,000 levels of nesting by the length limit without parsing", () => {
      expect(rejection(`${"[".repeat(10_000)}1${"]".repeat(10_000)}`).description).toMatch(/^is 20001 characters long/);
    });

    it("rejects long chains of operators by the node limit", () => {
      expect(rejection(`${"!".repeat(3000)}true`).description).toContain("Exceeded maxAstNodes (1000)");
      expect(rejection(`${Array(1200).fill("1").join("+")} > 0`).description).toContain("Exceeded maxAstNodes (1000)");
    });

    it("rejects a 1 MB literal by the length limit", () => {
      expect(rejection(`request.tier == "${"x".repeat(1 << 20)}"`).description).toMatch(/^is 1048594 characters long/);
    });

    it("evaluates huge numbers and odd literals safely", () => {
      expect(run("99999999999999999999999999999 > 1")).toEqual({ matched: true, error: "" });
      expect(run("1.7976931348623157e308 * 10.0 > 1.0").error).toBe("");
      expect(rejection("1e999 > 1.0").description).toContain("Invalid number");
      expect(rejection('"\\uD800" == request.tier').description).toContain("surrogate");
    });
  });

  describe("names that reach into JavaScript", () => {
    it.each(["input.__proto__", "input.constructor", "input.image.prototype", "request.toString"])(
      "rejects the field %s at compile time",
      (selection) => {
        expect(rejection(`${selection} == null`).description).toContain("No such key");
      },
    );

    it.each(["process", "globalThis", "require", "this", "eval", "Function"])("rejects the variable %s", (name) => {
      expect(rejection(`${name} == null`).description).toMatch(/Unknown variable|Unexpected/);
    });

    it("reads map keys such as __proto__ and constructor as plain keys", () => {
      const metadata = JSON.parse('{"__proto__": "p", "constructor": "c"}') as Record<string, string>;
      const context = requestContext({ metadata });
      expect(run('request.metadata["__proto__"] == "p" && request.metadata["constructor"] == "c"', context)).toEqual({
        matched: true,
        error: "",
      });
      expect(run('request.metadata["hasOwnProperty"] == "x"').error).toContain("No such key: hasOwnProperty");
      expect(run("request.metadata.constructor == \"x\"").matched).toBe(false);
      expect(run("dyn(input).constructor == null").matched).toBe(false);
    });

    it("does not pollute prototypes through map literals", () => {
      const outcome = run('{"__proto__": {"polluted": "yes"}}["__proto__"]["polluted"] == "yes"');
      expect(outcome.matched).toBe(false);
      expect(Object.prototype).not.toHaveProperty("polluted");
      expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    });
  });

  describe("constructs without a cost bound", () => {
    it("rejects matches(), whose backtracking can take hours, with its position", () => {
      const violation = rejection('request.tier == "x" || request.tier.matches("(a+)+$")');
      expect(violation.description).toMatch(/^matches\(\) is not allowed/);
      expect(violation.position).toEqual({ line: 1, column: 24, offset: 23 });
    });

    it("rejects a comprehension nested in another", () => {
      const violation = rejection("input.warnings.all(a, input.warnings.exists(b, a == b))");
      expect(violation.description).toMatch(/^exists\(\) inside another comprehension is not allowed/);
      expect(violation.position?.offset).toBe(22);
    });

    it("allows comprehensions one after another, and one over the result of another", () => {
      expect(run('input.warnings.all(w, w != "") && input.warnings.map(w, w + "!").exists(w, w == "!")').error).toBe("");
    });

    it("rejects a cel.bind nested in another, which could double a value at each level", () => {
      const doubling = "cel.bind(a, [1, 1], cel.bind(b, a + a, cel.bind(c, b + b, size(c) > 0)))";
      const result = compileWhen(doubling);
      expect(result.kind === "invalid" && result.violations.map((v) => [v.position?.offset, v.description.slice(0, 51)])).toEqual([
        [20, "cel.bind() inside another cel.bind() is not allowed"],
        [39, "cel.bind() inside another cel.bind() is not allowed"],
      ]);
      expect(run("cel.bind(w, input.image.width, w > 1 && w < 100)")).toEqual({ matched: true, error: "" });
    });

    it("evaluates a comprehension over a large collection to completion", () => {
      const fields = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`f${i}`, { type: "number", presentCount: 1 }]));
      const profile = create(InputProfileSchema, { modality: Modality.TABULAR, tabular: { rowCount: 1, fields } });
      const outcome = run('input.tabular.fields.all(f, input.tabular.fields[f].type == "number")', requestContext(), profile);
      expect(outcome).toEqual({ matched: true, error: "" });
    });
  });
});
