import { readdirSync, readFileSync } from "node:fs";
import { fromJson, type JsonValue } from "@bufbuild/protobuf";
import { describe, expect, it } from "@jest/globals";
import { PolicySchema } from "@modelrouter/contracts";
import { parse } from "yaml";
import { type CompileResult, POLICY_LIMITS, type PolicyViolation, REQUEST_BOUNDS, compilePolicy } from "./index.js";
import { modelTarget, policy, route, rule } from "./policy-fixtures.test-support.js";

const target = route([modelTarget("m")]);

function violations(result: CompileResult): readonly PolicyViolation[] {
  if (result.kind !== "invalid") throw new Error("expected the policy to be refused");
  return result.violations;
}

function compiledCost(when: string): number {
  const result = compilePolicy(policy({ name: "p", rules: [rule("r", when, target)] }));
  if (result.kind !== "compiled") throw new Error(`expected ${when.slice(0, 80)} to compile: ${JSON.stringify(result.violations)}`);
  return (result.policy.rules[0]?.when.cost ?? 0);
}

/** `[0,1,…,n-1]`, as the issue's reproduction writes its list literals. */
function listLiteral(n: number): string {
  return `[${Array.from({ length: n }, (_, i) => i).join(",")}]`;
}

const formatted = (n: number) => n.toLocaleString("en-US");

describe("the cost budget of policies", () => {
  describe("one expression", () => {
    const issueRule = `${listLiteral(480)}.all(x, x in ${listLiteral(480)}) && request.tier != ""`;

    it("refuses the issue's 480-element comprehension in every rule, naming each rule's when, the estimate, the budget and the fix", () => {
      expect(issueRule.length).toBeLessThanOrEqual(POLICY_LIMITS.maxExpressionLength);
      const rules = Array.from({ length: 256 }, (_, i) => rule(`r${i}`, issueRule, target));
      const found = violations(compilePolicy(policy({ name: "p", rules })));
      expect(found.map((v) => v.field)).toEqual(rules.map((_, i) => `rules[${i}].when`));
      const [first] = found;
      expect(first?.description).toMatch(
        new RegExp(
          `^is estimated to cost up to [0-9,]+ units per evaluation, over the budget of ` +
            `${formatted(POLICY_LIMITS.maxExpressionCost)} for one expression: all\\(\\) at line 1, column 1 runs ` +
            "its body \\([0-9,]+ units\\) up to 480 times",
        ),
      );
      expect(first?.description).toContain('test membership in a map bound once (`cel.bind(allowed, {"a": true, "b": true}');
      expect(first?.description).toContain("split the work into several rules or policies");
      expect(first?.position).toEqual({ line: 1, column: 1, offset: 0 });
    });

    it("refuses the comprehension when it reads no variable too, without evaluating it at compile time", () => {
      const constant = `${listLiteral(480)}.all(x, x in ${listLiteral(480)})`;
      const [violation] = violations(compilePolicy(policy({ name: "p", rules: [rule("r", constant, target)] })));
      expect(violation?.field).toBe("rules[0].when");
      expect(violation?.description).toMatch(/^is estimated to cost up to/);
    });

    it("accepts the same comprehension over a short list, and prices it by the list's length", () => {
      const over = (n: number) => compiledCost(`${listLiteral(n)}.all(x, x in ${listLiteral(n)}) && request.tier != ""`);
      expect(over(20)).toBeLessThan(POLICY_LIMITS.maxExpressionCost);
      expect(over(40)).toBeGreaterThan(3 * over(20));
    });

    it("accepts the fix it suggests: membership in a map bound once rather than in a list rebuilt at every iteration", () => {
      const map = `{${Array.from({ length: 200 }, (_, i) => `${i}: true`).join(",")}}`;
      const inList = `${listLiteral(200)}.all(x, x in ${listLiteral(200)}) && request.tier != ""`;
      const inBoundMap = `cel.bind(allowed, ${map}, ${listLiteral(200)}.all(x, x in allowed)) && request.tier != ""`;
      expect(violations(compilePolicy(policy({ name: "p", rules: [rule("r", inList, target)] })))).toHaveLength(1);
      expect(compiledCost(inBoundMap)).toBeLessThan(POLICY_LIMITS.maxExpressionCost / 2);
    });

    it("prices a comprehension over a request's map at the most entries the services accept", () => {
      const metadata = compiledCost('request.metadata.exists(k, k == "x")');
      const fields = compiledCost('input.tabular.fields.exists(f, f == "x")');
      const body = compiledCost('["x"].exists(k, k == "x")');
      expect(metadata).toBeGreaterThanOrEqual(REQUEST_BOUNDS.metadataEntries * 4);
      expect(fields).toBeGreaterThanOrEqual(REQUEST_BOUNDS.tabularFields * 4);
      expect(fields).toBeGreaterThan(10 * metadata);
      expect(body).toBeLessThan(metadata / 10);
    });

    it("charges lookups that can fail at run time, since cel-js builds each error with an excerpt, and not guarded ones", () => {
      const unguarded = compiledCost('request.metadata["region"] == "eu"');
      const guarded = compiledCost('"region" in request.metadata && request.metadata["region"] == "eu"');
      const viaHas = compiledCost('has(request.metadata.region) && request.metadata.region == "eu"');
      const overKeys = compiledCost('request.metadata.exists(k, request.metadata[k] == "eu")');
      expect(unguarded).toBeGreaterThan(guarded + 900);
      expect(viaHas).toBeLessThan(guarded + 10);
      expect(overKeys).toBeLessThan(unguarded * 3);
    });

    it("refuses 40 lookups that can all fail, each raising an error, and explains why", () => {
      const clauses = Array.from({ length: 40 }, (_, i) => `request.metadata["k${i}"] == "v${i}"`);
      const [violation] = violations(compilePolicy(policy({ name: "p", rules: [rule("r", clauses.join(" || "), target)] })));
      expect(violation?.field).toBe("rules[0].when");
      expect(violation?.description).toContain("it may raise up to 40 run-time errors");
      expect(violation?.description).toContain('guard lookups with `"k" in m && m["k"] …`');
    });

    it("charges a time zone conversion far more than a getter in UTC", () => {
      expect(compiledCost('now.getHours("Europe/Berlin") == 9')).toBeGreaterThan(100 * compiledCost("now.getHours() == 9"));
    });
  });

  describe("one policy", () => {
    const moderate = `${listLiteral(60)}.all(x, x in ${listLiteral(60)}) && request.tier != ""`;

    it("refuses a policy whose conditions fit the expression budget but not together the policy's, on `rules`", () => {
      const each = compiledCost(moderate);
      expect(each).toBeLessThan(POLICY_LIMITS.maxExpressionCost);
      const count = Math.floor(POLICY_LIMITS.maxPolicyCost / each) + 1;
      const rules = Array.from({ length: count }, (_, i) => rule(`r${i}`, `${moderate} && request.tenant != "${i}"`, target));
      const found = violations(compilePolicy(policy({ name: "p", rules })));
      expect(found).toEqual([
        {
          field: "rules",
          description: expect.stringMatching(
            new RegExp(
              "^the policy is estimated to cost up to [0-9,]+ units per request \\(its when and every rule's when, " +
                `all evaluated when no rule matches\\), over the budget of ${formatted(POLICY_LIMITS.maxPolicyCost)} ` +
                "for one policy; the costliest conditions are rules\\[\\d+\\]\\.when \\([0-9,]+\\), ",
            ),
          ),
        },
      ]);
      expect(found[0]?.description).toContain("split the rules into several policies");
    });

    it("counts the policy's own when, and exposes the estimate on the compiled policy", () => {
      const result = compilePolicy(
        policy({ name: "p", when: 'input.modality == "image"', rules: [rule("a", "input.image.width <= 16", target)] }),
      );
      if (result.kind !== "compiled") throw new Error(JSON.stringify(result.violations));
      const { cost, when, rules } = result.policy;
      expect(cost).toBeGreaterThan((when?.cost ?? 0) + (rules[0]?.when.cost ?? 0));
      expect(cost).toBeLessThanOrEqual(POLICY_LIMITS.maxPolicyCost);
      const withoutWhen = compilePolicy(policy({ name: "p", rules: [rule("a", "input.image.width <= 16", target)] }));
      expect(withoutWhen.kind === "compiled" && withoutWhen.policy.cost).toBe(cost - (when?.cost ?? 0));
    });

    it("finds every demo policy far under the budget (the zoo's catalogue/policies: a test input of this project)", () => {
      const folder = new URL("../../model-zoo/catalogue/policies/", import.meta.url);
      const files = readdirSync(folder).filter((file) => file.endsWith(".yaml"));
      expect(files.length).toBeGreaterThanOrEqual(4);
      for (const file of files) {
        const demo = fromJson(PolicySchema, parse(readFileSync(new URL(file, folder), "utf8")) as JsonValue);
        const result = compilePolicy(demo);
        if (result.kind !== "compiled") throw new Error(`${file}: ${JSON.stringify(result.violations)}`);
        expect({ file, under: result.policy.cost < POLICY_LIMITS.maxPolicyCost / 20 }).toEqual({ file, under: true });
      }
    });

    it("accepts as many simple rules as a policy may have", () => {
      const rules = Array.from({ length: POLICY_LIMITS.maxRules }, (_, i) => rule(`r${i}`, `request.tier == "t${i}"`, target));
      expect(compilePolicy(policy({ name: "p", rules })).kind).toBe("compiled");
    });
  });
});
