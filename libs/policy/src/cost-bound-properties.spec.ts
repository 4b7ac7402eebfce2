import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "@jest/globals";
import { InputProfileSchema, Modality, RequestContextSchema } from "@modelrouter/contracts";
import fc from "fast-check";
// The activation the decision engine builds for a request: internal, since counting the evaluator's work needs it.
import { type Activation, createActivation } from "./cel-values.js";
import { COST } from "./cost-units.js";
import { POLICY_LIMITS, REQUEST_BOUNDS, type CompiledCondition, compilePolicy, createPolicyEnvironment } from "./index.js";
import { modelTarget, policy, route, rule } from "./policy-fixtures.test-support.js";

/**
 * Counts the work cel-js does: every node it evaluates (each goes through the evaluator's `run`, the root
 * aside) and every distinct error a `||`, `&&`, `all` or `exists` catches. The evaluator's class is reached
 * through the first argument of a root node's `evaluate`; its `run` and `tryEval` are wrapped for the test.
 */
function instrument(environment: ReturnType<typeof createPolicyEnvironment>) {
  interface EvaluatorMethods {
    run(ast: unknown, ctx: unknown): unknown;
    tryEval(ast: unknown, ctx: unknown): unknown;
  }
  const probe = environment.cel.parse("true");
  probe.check();
  const root = probe.ast as unknown as { evaluate(ev: object, ...rest: unknown[]): unknown };
  const original = root.evaluate;
  let evaluator: EvaluatorMethods | undefined;
  root.evaluate = function (this: unknown, ev: object, ...rest: unknown[]) {
    evaluator = Object.getPrototypeOf(ev) as EvaluatorMethods;
    return original.call(this, ev, ...rest);
  };
  probe({});
  if (evaluator === undefined) throw new Error("could not reach the cel-js evaluator");
  const proto = evaluator;
  const counts = { nodes: 0, caught: new Set<unknown>() };
  const run = proto.run;
  const tryEval = proto.tryEval;
  proto.run = function (this: unknown, ast: unknown, ctx: unknown) {
    counts.nodes++;
    return run.call(this, ast, ctx);
  };
  proto.tryEval = function (this: unknown, ast: unknown, ctx: unknown) {
    const result = tryEval.call(this, ast, ctx);
    if (result instanceof Error) counts.caught.add(result);
    return result;
  };
  return {
    /** The work of one evaluation, in the cost model's units: nodes, and errors at their price. */
    measure(condition: CompiledCondition, activation: Activation): number {
      counts.nodes = 1;
      counts.caught.clear();
      const outcome = condition.evaluate(activation);
      const errors = counts.caught.size + (typeof outcome === "object" ? 1 : 0);
      return counts.nodes + errors * (COST.error + COST.errorPerChar * condition.source.length);
    },
    restore(): void {
      proto.run = run;
      proto.tryEval = tryEval;
    },
  };
}

const keys = ["k1", "k2", "num", "region"];
const text = fc.string({ maxLength: 12 });
const stringLiteral = fc.constantFrom('"k1"', '"num"', '"eu"', '""', '"a"', '"12"');
const intLiteral = fc.constantFrom("0", "1", "7", "9223372036854775807");

/** A string-valued expression, with `vars` the string variables in scope. */
function stringExpr(depth: number, vars: readonly string[]): fc.Arbitrary<string> {
  const leaves: fc.Arbitrary<string>[] = [
    stringLiteral,
    fc.constantFrom("request.tier", "request.tenant", "input.mime_type", "input.declared_mime_type"),
    fc.constantFrom(...keys).map((k) => `request.metadata["${k}"]`),
    fc.constantFrom(...keys).map((k) => `input.metadata.${k}`),
  ];
  if (vars.length > 0) leaves.push(fc.constantFrom(...vars));
  if (depth <= 0) return fc.oneof(...leaves);
  const sub = stringExpr(depth - 1, vars);
  return fc.oneof(
    ...leaves,
    fc.tuple(sub, sub).map(([a, b]) => `(${a} + ${b})`),
    sub.map((s) => `${s}.lowerAscii()`),
    sub.map((s) => `${s}.substring(1)`),
    intExpr(depth - 1, vars).map((i) => `string(${i})`),
    fc.tuple(sub, fc.constantFrom(...keys)).map(([s, k]) => `("${k}" in request.metadata ? request.metadata["${k}"] : ${s})`),
  );
}

/** An int-valued expression. */
function intExpr(depth: number, vars: readonly string[]): fc.Arbitrary<string> {
  const leaves = [
    intLiteral,
    fc.constantFrom("input.image.width", "input.tabular.row_count", "size(request.metadata)", "size(input.warnings)"),
    fc.constantFrom("input.tensor.shape[0]", 'int(request.metadata["num"])'),
  ];
  if (depth <= 0) return fc.oneof(...leaves);
  const sub = intExpr(depth - 1, vars);
  const str = stringExpr(depth - 1, vars);
  return fc.oneof(
    ...leaves,
    fc.tuple(sub, sub, fc.constantFrom("+", "-", "*", "/")).map(([a, b, op]) => `(${a} ${op} ${b})`),
    str.map((s) => `size(${s})`),
    str.map((s) => `${s}.indexOf("a")`),
    str.map((s) => `int(${s})`),
  );
}

const ranges = [
  { range: "request.metadata", kind: "string" },
  { range: "input.warnings", kind: "string" },
  { range: "input.tabular.fields", kind: "string" },
  { range: '["a", "k1", "eu"]', kind: "string" },
  { range: 'request.metadata.map(k, request.metadata[k] + "!")', kind: "string" },
  { range: 'input.warnings.filter(w, w != "")', kind: "string" },
  { range: '"a,b,c".split(",")', kind: "string" },
] as const;

/** A bool-valued expression; comprehensions only where none encloses it (nesting is refused). */
function boolExpr(depth: number, vars: readonly string[], inComprehension: boolean): fc.Arbitrary<string> {
  const str = stringExpr(Math.min(depth, 1), vars);
  const int = intExpr(Math.min(depth, 1), vars);
  const leaves: fc.Arbitrary<string>[] = [
    fc.constantFrom("true", "false"),
    fc.tuple(str, str, fc.constantFrom("==", "!=", "<")).map(([a, b, op]) => `${a} ${op} ${b}`),
    fc.tuple(int, int, fc.constantFrom("==", "<", ">=")).map(([a, b, op]) => `${a} ${op} ${b}`),
    fc.tuple(str, str, fc.constantFrom("startsWith", "contains", "endsWith")).map(([a, b, f]) => `${a}.${f}(${b})`),
    str.map((s) => `${s} in request.metadata`),
    str.map((s) => `${s} in ["k1", "eu", "a", "b"]`),
    str.map((s) => `${s} in {"k1": 1, "eu": 2}`),
    fc.constantFrom(...keys).map((k) => `has(request.metadata.${k})`),
    fc.tuple(fc.constantFrom(...keys), str).map(([k, s]) => `"${k}" in request.metadata && request.metadata["${k}"] == ${s}`),
  ];
  if (depth <= 0) return fc.oneof(...leaves);
  const sub = boolExpr(depth - 1, vars, inComprehension);
  const options: fc.Arbitrary<string>[] = [
    ...leaves,
    sub.map((b) => `!(${b})`),
    fc.tuple(sub, sub, fc.constantFrom("&&", "||")).map(([a, b, op]) => `(${a} ${op} ${b})`),
    fc.tuple(sub, sub, sub).map(([a, b, c]) => `(${a} ? ${b} : ${c})`),
    fc.tuple(str, fc.constantFrom("b1", "b2")).chain(([value, name]) =>
      boolExpr(depth - 1, [...vars, name], inComprehension).map((body) => `cel.bind(${name}, ${value}, ${body})`),
    ),
  ];
  if (!inComprehension) {
    options.push(
      fc
        .tuple(fc.constantFrom(...ranges), fc.constantFrom("all", "exists", "exists_one"), fc.constantFrom("v", "w"))
        .chain(([{ range }, quantifier, name]) =>
          boolExpr(depth - 1, [...vars, name], true).map((body) => `${range}.${quantifier}(${name}, ${body})`),
        ),
      fc
        .tuple(fc.constantFrom(...ranges), fc.constantFrom("v", "w"))
        .chain(([{ range }, name]) =>
          boolExpr(depth - 1, [...vars, name], true).map((body) => `${range}.filter(${name}, ${body}).size() >= 0`),
        ),
      fc.constantFrom(...ranges).map(({ range }) => `${range}.exists(k, request.metadata[k] == "eu")`),
    );
  }
  return fc.oneof(...options);
}

const longText = (max: number) => fc.oneof(text, fc.integer({ min: 0, max }).map((n) => "a1,".repeat(n).slice(0, max)));

const metadata = fc.dictionary(
  fc.oneof(fc.constantFrom(...keys), fc.string({ minLength: 1, maxLength: REQUEST_BOUNDS.metadataKeyLength })),
  fc.oneof(fc.constantFrom("eu", "12", "", "a"), longText(REQUEST_BOUNDS.metadataValueLength)),
  { maxKeys: REQUEST_BOUNDS.metadataEntries },
);

/** The values of a request, as a small record (so that a counterexample prints small); {@link toActivation} builds it. */
const requestValues = fc
  .record({
    metadata,
    inputMetadata: metadata,
    tier: longText(REQUEST_BOUNDS.identityLength),
    tenant: text,
    warnings: fc.array(longText(REQUEST_BOUNDS.warningLength), { maxLength: REQUEST_BOUNDS.warnings }),
    fieldCount: fc.oneof(fc.nat({ max: 5 }), fc.constant(REQUEST_BOUNDS.tabularFields)),
    width: fc.nat({ max: 4096 }),
    shape: fc.array(fc.nat({ max: 9 }), { maxLength: REQUEST_BOUNDS.tensorRank }),
    declared: longText(REQUEST_BOUNDS.declaredMimeTypeLength),
  });

function toActivation(a: typeof requestValues extends fc.Arbitrary<infer T> ? T : never): Activation {
  const fields = Object.fromEntries(Array.from({ length: a.fieldCount }, (_, i) => [`f${i}`, { type: "number" }]));
  return createActivation(
    create(InputProfileSchema, {
      modality: Modality.IMAGE,
      mimeType: "image/png",
      declaredMimeType: a.declared,
      metadata: a.inputMetadata,
      warnings: a.warnings,
      image: { width: a.width, height: 1 },
      tabular: { rowCount: 3, fields },
      tensor: { shape: a.shape },
    }),
    create(RequestContextSchema, { metadata: a.metadata, tier: a.tier, tenant: a.tenant }),
    new Date(0),
  );
}

describe("the cost estimate", () => {
  it("bounds the work of every evaluation of an expression within the budget, for every request within the bounds", () => {
    const environment = createPolicyEnvironment();
    const counter = instrument(environment);
    let priced = 0;
    try {
      fc.assert(
        fc.property(boolExpr(3, [], false), fc.array(requestValues, { minLength: 1, maxLength: 3 }), (when, requests) => {
          const result = compilePolicy(policy({ name: "p", rules: [rule("r", when, route([modelTarget("m")]))] }), {
            environment,
          });
          fc.pre(result.kind === "compiled");
          if (result.kind !== "compiled") return;
          const condition = result.policy.rules[0]?.when as CompiledCondition;
          expect(condition.cost).toBeLessThanOrEqual(POLICY_LIMITS.maxExpressionCost);
          priced++;
          for (const values of requests) {
            const work = counter.measure(condition, toActivation(values));
            if (work > condition.cost) throw new Error(`${when}: measured ${work} > estimated ${condition.cost}`);
          }
        }),
        { numRuns: 300 },
      );
    } finally {
      counter.restore();
    }
    expect(priced).toBeGreaterThan(200);
  });
});
