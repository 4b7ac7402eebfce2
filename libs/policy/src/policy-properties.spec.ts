import { create, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { describe, expect, it } from "@jest/globals";
import {
  ExplanationSchema,
  InputProfileSchema,
  type LabelOperator,
  Modality,
  type Model,
  ModelStatus,
  PolicySchema,
  RequestContextSchema,
  RoutingDecisionSchema,
  type TargetSchema,
} from "@modelrouter/contracts";
import { ErrorReason } from "@modelrouter/errors";
import fc from "fast-check";
import {
  type EvaluationInput,
  type PolicyOutcome,
  compilePolicy,
  createModelCatalogue,
  createPolicyEnvironment,
  explainPolicies,
} from "./index.js";
import { NOON, model } from "./policy-fixtures.test-support.js";

type TargetInit = MessageInitShape<typeof TargetSchema>;

const environment = createPolicyEnvironment();
const modelNames = ["alpha", "beta", "gamma", "delta", "eps"];
const labelKeys = ["domain", "tier", "gpu", "bad key", "example.com/x", ""];
const labelValues = ["medical", "gold", "silver", "", "not ok!"];

const name = fc.oneof(
  { arbitrary: fc.constantFrom("p", "q", "rule-1", "r"), weight: 6 },
  { arbitrary: fc.constantFrom("Bad", "", "-x"), weight: 1 },
  { arbitrary: fc.string({ maxLength: 12 }), weight: 1 },
);

const atoms = fc.constantFrom(
  "input.modality",
  "input.image.width",
  "input.image.widht",
  "input.size_bytes",
  "input.text.language_confidence",
  'input.tabular.fields["age"].mean',
  "input.tensor.shape",
  "input.warnings",
  'input.metadata["k"]',
  "request.tier",
  'request.metadata["k"]',
  "request.deadline_ms",
  "now",
  '"image"',
  '"gold"',
  "1",
  "0",
  "2.5",
  "true",
  "false",
  "null",
  "[1, 2]",
  '{"a": 1}',
  "__proto__",
  "constructor",
  "process",
  "x",
  'timestamp("2024-06-01T12:00:00Z")',
);
const tokens = fc.constantFrom(
  "==", "!=", "<", ">=", "&&", "||", "+", "-", "*", "/", "%", "in", "!", "?", ":", "(", ")", "[", "]", ",", ".",
  ".size()", ".all(x, x > 0)", ".exists(x, x == 1)", '.matches("(a+)+$")', '.startsWith("a")', "cel.bind(v, 1, v > 0)",
  "size(", "has(", "dyn(", "int(", "string(",
);
const comparisons = fc
  .tuple(
    fc.constantFrom("input.image.width", "input.size_bytes", "request.deadline_ms", "input.text.length"),
    fc.constantFrom("==", "!=", "<", "<=", ">", ">="),
    fc.integer({ min: -5, max: 50 }),
  )
  .map(([field, op, n]) => `${field} ${op} ${n}`);
const stringTests = fc
  .tuple(fc.constantFrom("request.tier", "input.modality", "input.mime_type"), fc.constantFrom("gold", "image", "text", ""))
  .map(([field, value]) => `${field} == "${value}"`);
const wellTyped = fc
  .array(fc.oneof(comparisons, stringTests, fc.constantFrom("true", "false", 'request.metadata["k"] == "v"')), {
    minLength: 1,
    maxLength: 4,
  })
  .chain((parts) => fc.constantFrom("&&", "||").map((op) => parts.join(` ${op} `)));
const soup = fc.array(fc.oneof(atoms, tokens), { maxLength: 14 }).map((parts) => parts.join(" "));
const expression = fc.oneof(
  { arbitrary: wellTyped, weight: 4 },
  { arbitrary: soup, weight: 3 },
  { arbitrary: fc.string({ maxLength: 40 }), weight: 1 },
  { arbitrary: atoms, weight: 1 },
);

const modelTargetArb: fc.Arbitrary<TargetInit> = fc
  .record({
    name: fc.oneof({ arbitrary: fc.constantFrom(...modelNames), weight: 8 }, { arbitrary: name, weight: 1 }),
    version: fc.constantFrom("", "", "1", "2", "bad version"),
  })
  .map((value) => ({ kind: { case: "model" as const, value } }));
const selectorArb: fc.Arbitrary<TargetInit> = fc
  .record({
    matchLabels: fc.dictionary(fc.constantFrom(...labelKeys), fc.constantFrom(...labelValues), { maxKeys: 2 }),
    matchExpressions: fc.array(
      fc.record({
        key: fc.constantFrom(...labelKeys),
        operator: fc.integer({ min: 0, max: 5 }) as fc.Arbitrary<LabelOperator>,
        values: fc.array(fc.constantFrom(...labelValues), { maxLength: 2 }),
      }),
      { maxLength: 2 },
    ),
  })
  .map((value) => ({ kind: { case: "selector" as const, value } }));
const targetArb = fc.oneof(
  { arbitrary: modelTargetArb, weight: 6 },
  { arbitrary: selectorArb, weight: 2 },
  { arbitrary: fc.constant<TargetInit>({}), weight: 1 },
);
const routeArb = fc.record({
  targets: fc.array(targetArb, { minLength: 1, maxLength: 3 }),
  fallbacks: fc.array(targetArb, { maxLength: 2 }),
  strategy: fc.constantFrom(0, 0, 1, 7),
});
const anyPolicy = fc
  .record({
    name,
    priority: fc.integer({ min: -3, max: 3 }),
    when: fc.oneof(fc.constant(""), expression),
    rules: fc.array(fc.record({ name, when: expression, route: fc.option(routeArb, { nil: undefined }) }), { maxLength: 4 }),
    defaultRoute: fc.option(routeArb, { nil: undefined }),
  })
  .map((init) => create(PolicySchema, init as MessageInitShape<typeof PolicySchema>));

const profileArb = fc
  .record({
    modality: fc.constantFrom(0, 1, 2, 2, 2, 3, 6) as fc.Arbitrary<Modality>,
    sizeBytes: fc.nat({ max: 10_000 }),
    image: fc.option(fc.record({ width: fc.nat({ max: 64 }), height: fc.nat({ max: 64 }) }), { nil: undefined }),
    metadata: fc.dictionary(fc.constantFrom("k", "image_type"), fc.constantFrom("v", "x"), { maxKeys: 2 }),
  })
  .map((init) => create(InputProfileSchema, init));
const contextArb = fc
  .record({
    tier: fc.constantFrom("", "gold", "silver"),
    metadata: fc.dictionary(fc.constantFrom("k"), fc.constantFrom("v", "w"), { maxKeys: 1 }),
    timeout: fc.option(fc.record({ seconds: fc.bigInt({ min: 0n, max: 5n }), nanos: fc.nat({ max: 999_999_999 }) }), {
      nil: undefined,
    }),
  })
  .map((init) => create(RequestContextSchema, init));

const catalogueArb: fc.Arbitrary<Model[]> = fc.array(
  fc
    .record({
      name: fc.constantFrom(...modelNames),
      version: fc.constantFrom("1", "2", "3"),
      status: fc.constantFrom(0, 1, 1, 1, 1, 2, 3, 4) as fc.Arbitrary<ModelStatus>,
      modality: fc.constantFrom(0, 0, 1, 2, 2, 3) as fc.Arbitrary<Modality>,
      labels: fc.dictionary(fc.constantFrom("domain", "tier"), fc.constantFrom("medical", "gold", "silver"), { maxKeys: 2 }),
      createdMs: fc.nat({ max: 5 }),
    })
    .map((m) => model(m.name, m.version, m)),
  { maxLength: 15 },
);

/** Routes that compile: distinct model names across targets and fallbacks, valid selectors. */
const validRoute = fc
  .tuple(
    fc.uniqueArray(fc.constantFrom(...modelNames), { maxLength: 5 }),
    fc.constantFrom("", "1", "2"),
    fc.array(
      fc.record({
        matchLabels: fc.dictionary(fc.constantFrom("domain", "tier"), fc.constantFrom("medical", "gold"), { maxKeys: 2 }),
      }),
      { maxLength: 2 },
    ),
    fc.nat(),
    fc.nat(),
  )
  .filter(([names, , selectors]) => names.length + selectors.length > 0)
  .map(([names, version, selectors, split, at]) => {
    const entries: TargetInit[] = names.map((n) => ({ kind: { case: "model", value: { name: n, version } } }));
    selectors.forEach((s, i) => entries.splice((at + i) % (entries.length + 1), 0, { kind: { case: "selector", value: s } }));
    const cut = 1 + (split % entries.length);
    return { targets: entries.slice(0, cut), fallbacks: entries.slice(cut) };
  });
const validPolicies = fc
  .uniqueArray(
    fc.record({
      name: fc.constantFrom("p", "q", "r"),
      priority: fc.integer({ min: 0, max: 2 }),
      when: fc.constantFrom("", 'input.modality == "image"', 'request.metadata["k"] == "v"'),
      rules: fc.array(fc.record({ when: fc.oneof(wellTyped, fc.constant("true")), route: validRoute }), { maxLength: 3 }),
      defaultRoute: fc.option(validRoute, { nil: undefined }),
    }).filter((p) => p.rules.length > 0 || p.defaultRoute !== undefined),
    { minLength: 1, maxLength: 3, selector: (p) => p.name },
  )
  .map((policies) =>
    policies.map((init) => {
      const rules = init.rules.map((r, i) => ({ ...r, name: `rule-${i}` }));
      const result = compilePolicy(create(PolicySchema, { ...init, rules }), { environment });
      if (result.kind === "invalid") throw new Error(`generator made an invalid policy: ${JSON.stringify(result.violations)}`);
      return result.policy;
    }),
  );

function fingerprint(outcome: PolicyOutcome): string {
  if (outcome.kind === "decided") return Buffer.from(toBinary(RoutingDecisionSchema, outcome.result.decision)).toString("hex");
  return `${outcome.error.reason}:${outcome.error.message}:${Buffer.from(toBinary(ExplanationSchema, outcome.explanation)).toString("hex")}`;
}

function servable(m: Model | undefined, modality: Modality): boolean {
  return (
    m !== undefined &&
    m.status !== ModelStatus.RETIRED &&
    m.status !== ModelStatus.UNSPECIFIED &&
    (m.modality === Modality.UNSPECIFIED || m.modality === modality)
  );
}

describe("policy properties", () => {
  it("compilePolicy never throws: any Policy compiles or is invalid with its reasons", () => {
    fc.assert(
      fc.property(anyPolicy, (p) => {
        const result = compilePolicy(p, { environment });
        if (result.kind === "invalid") {
          expect(result.violations.length).toBeGreaterThan(0);
          for (const v of result.violations) expect(typeof v.description).toBe("string");
        } else expect(result.kind).toBe("compiled");
      }),
      { numRuns: 2000 },
    );
  });

  it("any expression is rejected with a position or compiles and evaluates without throwing", () => {
    fc.assert(
      fc.property(expression, profileArb, contextArb, (when, profile, context) => {
        const result = compilePolicy(
          create(PolicySchema, {
            name: "p",
            rules: [{ name: "r", when, route: { targets: [{ kind: { case: "model", value: { name: "m" } } }] } }],
            defaultRoute: { targets: [{ kind: { case: "model", value: { name: "m" } } }] },
          }),
          { environment },
        );
        if (result.kind === "invalid") {
          for (const v of result.violations) expect(v.field).toBe("rules[0].when");
          return;
        }
        const outcome = explainPolicies({
          policies: [result.policy],
          catalogue: [model("m", "1", { modality: Modality.UNSPECIFIED })],
          profile,
          context,
          now: NOON,
          random: () => 0.5,
        });
        expect(outcome.kind).toBe("decided");
      }),
      { numRuns: 5000 },
    );
  });

  it("evaluation is deterministic: the same input gives the same decision, whatever the random source", () => {
    fc.assert(
      fc.property(validPolicies, catalogueArb, profileArb, contextArb, (policies, models, profile, context) => {
        const input: EvaluationInput = { policies, catalogue: createModelCatalogue(models), profile, context, now: NOON, random: () => 0.1 };
        const first = explainPolicies(input);
        const second = explainPolicies({ ...input, policies: [...policies].reverse(), random: () => 0.9 });
        expect(fingerprint(second)).toBe(fingerprint(first));
      }),
      { numRuns: 1000 },
    );
  });

  it("a decision's target is servable, never among its fallbacks, and no model appears twice", () => {
    fc.assert(
      fc.property(validPolicies, catalogueArb, profileArb, contextArb, (policies, models, profile, context) => {
        const catalogue = createModelCatalogue(models);
        const outcome = explainPolicies({ policies, catalogue, profile, context, now: NOON, random: () => 0.5 });
        if (outcome.kind === "failed") {
          expect([ErrorReason.NO_ROUTE, ErrorReason.NO_SERVABLE_MODEL]).toContain(outcome.error.reason);
          return;
        }
        const { decision, target, fallbacks } = outcome.result;
        const names = [decision.target, ...decision.fallbacks].map((t) => t?.model?.name);
        expect(new Set(names).size).toBe(names.length);
        expect(decision.fallbacks.map((f) => f.model?.name)).not.toContain(decision.target?.model?.name);
        for (const m of [target, ...fallbacks]) {
          expect(servable(m, profile.modality)).toBe(true);
          expect(catalogue.find(m.name, m.version)).toBe(m);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("compiles the same policy to the same outcome every time", () => {
    fc.assert(
      fc.property(anyPolicy, (p) => {
        const a = compilePolicy(p, { environment });
        const b = compilePolicy(p);
        expect(b.kind).toBe(a.kind);
        if (a.kind === "invalid" && b.kind === "invalid") expect(b.violations).toEqual(a.violations);
        if (a.kind === "compiled" && b.kind === "compiled") expect(b.warnings).toEqual(a.warnings);
      }),
      { numRuns: 300 },
    );
  });
});

