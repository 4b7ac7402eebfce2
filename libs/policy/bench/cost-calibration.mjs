// Calibrates the policy cost model: how many nanoseconds one cost unit takes on this machine, per construct,
// for requests at the bounds the estimator assumes (REQUEST_BOUNDS), and how long policies at the budgets
// take. A measurement, not a test: run it on an idle machine and read the table.
//
//   npx nx run policy:build && node libs/policy/bench/cost-calibration.mjs
//
// Each expression is written so that it cannot short-circuit (every comprehension runs to its end), so the
// measured work is the work the estimate charges for.
import { create } from "@bufbuild/protobuf";
import { InputProfileSchema, Modality, PolicySchema, RequestContextSchema } from "@modelrouter/contracts";
import { POLICY_LIMITS, REQUEST_BOUNDS, compilePolicy, createPolicyEnvironment, explainPolicies } from "../dist/index.js";
import { createActivation } from "../dist/cel-values.js";

const B = REQUEST_BOUNDS;
const environment = createPolicyEnvironment();

function pad(text, length) {
  return text.padEnd(length, "x").slice(0, length);
}

/** Metadata at the bounds: 64 entries, 63-character keys, 2,048-character values (one holds JSON, one a number). */
function worstMetadata() {
  const metadata = {};
  for (let i = 0; i < B.metadataEntries; i++) metadata[pad(`key-${i}-`, B.metadataKeyLength)] = pad(`v${i}a`, B.metadataValueLength);
  const keys = Object.keys(metadata);
  delete metadata[keys[0]];
  delete metadata[keys[1]];
  const numbers = [];
  while (JSON.stringify([...numbers, 1]).length <= B.metadataValueLength) numbers.push(1);
  metadata["json"] = JSON.stringify(numbers);
  metadata["num"] = "123456";
  return metadata;
}

const metadata = worstMetadata();
const profile = create(InputProfileSchema, {
  modality: Modality.TABULAR,
  mimeType: "application/json",
  declaredMimeType: pad("application/json;x=", B.declaredMimeTypeLength),
  sizeBytes: 1,
  metadata,
  warnings: Array.from({ length: B.warnings }, (_, i) => pad(`warning ${i} `, B.warningLength)),
  tabular: {
    rowCount: 10,
    fields: Object.fromEntries(
      Array.from({ length: B.tabularFields }, (_, i) => [pad(`field-${i}-`, B.fieldNameLength), { type: "number", presentCount: 3 }]),
    ),
  },
  tensor: { shape: Array.from({ length: B.tensorRank }, () => 2) },
});
const context = create(RequestContextSchema, {
  requestId: pad("req-", B.requestIdLength),
  metadata,
  tenant: pad("acme-", B.identityLength),
  tier: pad("gold-", B.identityLength),
  userId: pad("user-", B.identityLength),
});
const activation = createActivation(profile, context, new Date(Date.UTC(2024, 5, 1, 12)));

const list = (n) => `[${Array.from({ length: n }, (_, i) => i).join(",")}]`;
const constructs = [
  ["one comparison", 'request.tier == "gold"'],
  ["20 comparisons", Array.from({ length: 20 }, (_, i) => `request.tier == "t${i}"`).join(" || ")],
  ["metadata values", 'request.metadata.all(k, request.metadata[k] != "")'],
  ["tabular fields", "input.tabular.fields.all(f, input.tabular.fields[f].present_count >= 0)"],
  ["contains", 'input.warnings.all(w, !w.contains("zzz"))'],
  ["lowerAscii", 'request.metadata.all(k, request.metadata[k].lowerAscii() != "x")'],
  ["size(string)", "request.metadata.all(k, size(request.metadata[k]) > 0)"],
  ["split", 'request.metadata.all(k, request.metadata[k].split("a").size() >= 0)'],
  ["startsWith", 'request.metadata.all(k, !request.metadata[k].startsWith("zz"))'],
  ["indexOf", 'request.metadata.all(k, request.metadata[k].indexOf("zz") < 0)'],
  ["list membership", `${list(100)}.all(x, x in ${list(100)} && request.tier != "")`],
  ["map lookups", 'request.metadata.all(k, k in request.metadata && "zz" in request.metadata == false)'],
  ["map/filter", 'request.metadata.map(k, request.metadata[k] + k).filter(v, size(v) > 0).size() >= 0'],
  ["join", 'request.metadata.map(k, k).join(",").size() > 0'],
  ["string concat", 'request.metadata.all(k, request.metadata[k] + k != "")'],
  ["list equality", "input.tensor.shape == input.tensor.shape + []"],
  ["bind", 'cel.bind(x, request.tier, x == "gold" || x == "silver")'],
  ["json", 'size(bytes(request.metadata["json"]).json()) > 0'],
  ["int(string)", 'int(request.metadata["num"]) > 0'],
  ["timestamp(string)", 'now > timestamp("2024-06-01T12:00:00Z")'],
  ["duration(string)", 'now - timestamp("2024-06-01T12:00:00Z") > duration("1h30m")'],
  ["time zone", 'now.getHours("Europe/Berlin") >= 0'],
  ["bytes/hex", 'bytes(request.tier).hex() != ""'],
  ["one failing lookup", 'request.metadata["missing"] == "x"'],
  ["20 failing lookups", Array.from({ length: 20 }, (_, i) => `request.metadata["k${i}"] == "v${i}"`).join(" || ")],
  ["20 guarded lookups", Array.from({ length: 20 }, (_, i) => `("k${i}" in request.metadata && request.metadata["k${i}"] == "v")`).join(" || ")],
  ["failing lookups in exists", 'input.warnings.exists(w, request.metadata[w] == "y")'],
  ["failing conversions", 'request.metadata.exists(k, int(k) == 1)'],
];

function compileRule(when) {
  const policy = create(PolicySchema, {
    name: "p",
    rules: [{ name: "r", when, route: { targets: [{ kind: { case: "model", value: { name: "m" } } }] } }],
  });
  const result = compilePolicy(policy, { environment });
  if (result.kind !== "compiled") return { violations: result.violations };
  return { condition: result.policy.rules[0].when };
}

/** Median nanoseconds of one call of `run`, over batches long enough to time. */
function measure(run) {
  let batch = 1;
  for (;;) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) run();
    if (Number(process.hrtime.bigint() - start) > 5e6 || batch >= 1 << 20) break;
    batch *= 2;
  }
  const samples = [];
  for (let s = 0; s < 15; s++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) run();
    samples.push(Number(process.hrtime.bigint() - start) / batch);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

const rows = [];
for (const [name, when] of constructs) {
  const { condition, violations } = compileRule(when);
  if (condition === undefined) {
    rows.push({ name, cost: "refused", ns: "", perUnit: "", note: violations[0]?.description.slice(0, 80) });
    continue;
  }
  const ns = measure(() => condition.evaluate(activation));
  rows.push({ name, cost: condition.cost, ns: Math.round(ns), perUnit: +(ns / condition.cost).toFixed(1) });
}
console.log("construct               cost units        ns   ns/unit");
for (const r of rows) {
  console.log(`${r.name.padEnd(22)} ${String(r.cost).padStart(11)} ${String(r.ns).padStart(9)} ${String(r.perUnit).padStart(9)}${r.note ? `  ${r.note}` : ""}`);
}
const perUnit = rows.filter((r) => typeof r.perUnit === "number").map((r) => r.perUnit).sort((a, b) => a - b);
console.log(`ns per unit: median ${perUnit[Math.floor(perUnit.length / 2)]}, max ${perUnit[perUnit.length - 1]}`);

// The issue's reproduction: 480-element list literals, 256 rules.
const issue = `${list(480)}.all(x, x in ${list(480)}) && request.tier != ""`;
const refused = compileRule(issue);
console.log(`\nissue's rule: ${refused.violations ? `refused: ${refused.violations[0].description.slice(0, 120)}…` : "compiled"}`);

// Whole policies at the budgets: rules that never match, evaluated as a request that no rule decides.
function policyAt(name, budget, ruleWhen) {
  const { condition } = compileRule(`${ruleWhen} && request.tier == "r0"`);
  const perRule = condition.cost + 100;
  const count = Math.max(1, Math.min(POLICY_LIMITS.maxRules, Math.floor((budget - 100) / perRule)));
  const rules = Array.from({ length: count }, (_, i) => ({
    name: `r${i}`,
    when: `${ruleWhen} && request.tier == "r${i}"`,
    route: { targets: [{ kind: { case: "model", value: { name: "m" } } }] },
  }));
  const result = compilePolicy(create(PolicySchema, { name, rules }), { environment });
  if (result.kind !== "compiled") throw new Error(JSON.stringify(result.violations[0]));
  return result.policy;
}

const catalogue = [];
const evaluate = (policies) => () => explainPolicies({ policies, catalogue, profile, context, now: 0, random: Math.random });
console.log("\npolicy                                        cost units        µs   ns/unit");
for (const [label, when] of [
  ["tabular comprehension rules", "input.tabular.fields.all(f, input.tabular.fields[f].present_count >= 0)"],
  ["metadata comprehension rules", 'request.metadata.all(k, request.metadata[k] != "")'],
  ["simple rules", 'request.tier == "eu"'],
  ["rules with a failing lookup", 'request.metadata["region"] == "eu"'],
]) {
  const policy = policyAt("p", POLICY_LIMITS.maxPolicyCost, when);
  const ns = measure(evaluate([policy]));
  console.log(`${`one policy: ${label}`.padEnd(45)} ${String(policy.cost).padStart(10)} ${(ns / 1000).toFixed(0).padStart(9)} ${(ns / policy.cost).toFixed(1).padStart(9)}`);
}
const policies = [];
let total = 0;
for (let i = 0; total + POLICY_LIMITS.maxPolicyCost <= POLICY_LIMITS.maxTotalCost; i++) {
  const policy = policyAt(`p${i}`, POLICY_LIMITS.maxPolicyCost, i % 2 === 0 ? "input.tabular.fields.all(f, input.tabular.fields[f].present_count >= 0)" : 'request.metadata["region"] == "eu"');
  policies.push(policy);
  total += policy.cost;
}
const ns = measure(evaluate(policies));
console.log(`${`${policies.length} policies (total budget)`.padEnd(45)} ${String(total).padStart(10)} ${(ns / 1000).toFixed(0).padStart(9)} ${(ns / total).toFixed(1).padStart(9)}`);
console.log(`\nbudgets: expression ${POLICY_LIMITS.maxExpressionCost}, policy ${POLICY_LIMITS.maxPolicyCost}, all policies ${POLICY_LIMITS.maxTotalCost}`);
