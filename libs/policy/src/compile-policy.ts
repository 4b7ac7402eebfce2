import type { Model, Policy } from "@modelrouter/contracts";
import { resourceNameProblem } from "@modelrouter/syntax";
import { reportCatalogueWarnings } from "./catalogue-warnings.js";
import { type CompiledCondition, compileCondition } from "./compiled-condition.js";
import type { CompiledPolicy, CompiledRoute, CompiledRule } from "./compiled-policy.js";
import { compileRoute } from "./compile-route.js";
import { COST } from "./cost-units.js";
import { formatCost } from "./cost-text.js";
import { type ModelCatalogue, asCatalogue } from "./model-catalogue.js";
import { type PolicyEnvironment, createPolicyEnvironment } from "./policy-environment.js";
import { CompileReport, type PolicyViolation } from "./policy-violation.js";

/** Options of {@link compilePolicy}. */
export interface CompileOptions {
  /** The language to compile with. Default: a new environment (about 0.1 ms); share one to compile many. */
  readonly environment?: PolicyEnvironment;
  /** When given, targets are resolved against it and those that resolve to nothing become warnings. */
  readonly catalogue?: ModelCatalogue | readonly Model[];
}

/** The outcome of {@link compilePolicy}: a compiled policy with warnings, or every reason it is invalid. */
export type CompileResult =
  | { kind: "compiled"; policy: CompiledPolicy; warnings: readonly string[] }
  | { kind: "invalid"; violations: readonly PolicyViolation[] };

function isBlank(text: string | undefined): boolean {
  return text === undefined || text.trim() === "";
}

function constantNote(condition: CompiledCondition | undefined): string | undefined {
  const constant = condition?.constant;
  if (constant === undefined || constant === true) return undefined;
  return constant === false ? "is always false" : `always fails at run time (${constant.error})`;
}

function reportReachability(rules: readonly CompiledRule[], defaultRoute: CompiledRoute | undefined, report: CompileReport): void {
  let catchAll: CompiledRule | undefined;
  const conditionAt = new Map<string, CompiledRule>();
  for (const rule of rules) {
    const path = `rules[${rule.index}]`;
    if (catchAll !== undefined) {
      report.warning(path, `is unreachable: rules[${catchAll.index}] ("${catchAll.name}") always matches and comes first`);
      continue;
    }
    const note = constantNote(rule.when);
    if (note !== undefined) report.warning(`${path}.when`, `${note}, so the rule never matches`);
    const same = conditionAt.get(rule.when.source.trim());
    if (same !== undefined) {
      report.warning(path, `never matches: rules[${same.index}] ("${same.name}") has the same condition and comes first`);
    } else conditionAt.set(rule.when.source.trim(), rule);
    if (rule.when.constant === true) catchAll = rule;
  }
  if (catchAll !== undefined && defaultRoute !== undefined) {
    report.warning("default_route", `is unreachable: rules[${catchAll.index}] ("${catchAll.name}") always matches`);
  }
}

interface PricedCondition {
  readonly field: string;
  readonly cost: number;
}

function reportPolicyCost(total: number, conditions: readonly PricedCondition[], budget: number, report: CompileReport): void {
  const costliest = [...conditions]
    .sort((a, b) => b.cost - a.cost)
    .slice(0, 3)
    .map((c) => `${c.field} (${formatCost(c.cost)})`);
  report.violation(
    "rules",
    `the policy is estimated to cost up to ${formatCost(total)} units per request (its when and every rule's ` +
      `when, all evaluated when no rule matches), over the budget of ${formatCost(budget)} for one policy; the ` +
      `costliest conditions are ${costliest.join(", ")}. Simplify them (in a comprehension, test membership ` +
      "in a map bound once with cel.bind() rather than in a list literal; guard map lookups with `in` or " +
      "has()), or split the rules into several policies",
  );
}

function compileChecked(policy: Policy, options: CompileOptions): CompileResult {
  const environment = options.environment ?? createPolicyEnvironment();
  const limits = environment.limits;
  const report = new CompileReport();
  const nameProblem = resourceNameProblem(policy.name ?? "", "policy", "digits-routing");
  if (nameProblem !== undefined) report.violation("name", nameProblem);

  let spent = COST.policy;
  const priced: PricedCondition[] = [];
  let unpriced = 0;
  const compileWhen = (source: string, field: string, overhead: number): CompiledCondition | undefined => {
    const condition = compileCondition(source, field, environment, report, limits.maxPolicyCost - spent - overhead);
    if (condition === undefined) unpriced++;
    else {
      spent += overhead + condition.cost;
      priced.push({ field, cost: condition.cost });
    }
    return condition;
  };

  let when: CompiledCondition | undefined;
  if (!isBlank(policy.when)) {
    when = compileWhen(policy.when, "when", 0);
    const note = constantNote(when);
    if (note !== undefined) report.warning("when", `${note}, so the policy never applies`);
  }

  const ruleList = policy.rules ?? [];
  if (ruleList.length === 0 && policy.defaultRoute === undefined) {
    report.violation(
      "rules",
      "a policy needs at least one rule or a default_route: add a rule (`when` and `route`) or a default_route",
    );
  }
  if (ruleList.length > limits.maxRules) {
    report.violation("rules", `has ${ruleList.length} rules; a policy may have at most ${limits.maxRules}`);
  }
  const rules: CompiledRule[] = [];
  const ruleNamedAt = new Map<string, number>();
  ruleList.slice(0, limits.maxRules).forEach((rule, index) => {
    const path = `rules[${index}]`;
    const name = rule?.name ?? "";
    const problem = resourceNameProblem(name, "rule", "lowres-scans");
    if (problem !== undefined) report.violation(`${path}.name`, problem);
    const first = ruleNamedAt.get(name);
    if (first !== undefined && name !== "") {
      report.violation(`${path}.name`, `"${name}" is already the name of rules[${first}]: rule names are unique in a policy`);
    } else ruleNamedAt.set(name, index);
    let condition: CompiledCondition | undefined;
    if (isBlank(rule?.when)) {
      report.violation(
        `${path}.when`,
        "is required: a CEL condition such as `input.modality == \"image\"`; use `true` to match every request",
      );
    } else condition = compileWhen(rule.when, `${path}.when`, COST.rule);
    const route = rule?.route;
    if (route === undefined) {
      report.violation(`${path}.route`, "is required: give the route's targets (and optionally strategy and fallbacks)");
    }
    const compiledRoute = route === undefined ? undefined : compileRoute(route, `${path}.route`, report, environment);
    if (condition !== undefined && compiledRoute !== undefined) {
      rules.push({ name, index, when: condition, route: compiledRoute });
    }
  });
  const defaultRoute =
    policy.defaultRoute === undefined ? undefined : compileRoute(policy.defaultRoute, "default_route", report, environment);
  const routes = rules.map((rule) => rule.route);
  if (defaultRoute !== undefined) routes.push(defaultRoute);
  const costliestRoute = routes.reduce<CompiledRoute | undefined>(
    (top, route) => (top === undefined || route.strategy.cost > top.strategy.cost ? route : top),
    undefined,
  );
  if (costliestRoute !== undefined && costliestRoute.strategy.cost > 0) {
    spent += costliestRoute.strategy.cost;
    priced.push({ field: `${costliestRoute.path}.constraints`, cost: costliestRoute.strategy.cost });
  }
  if (unpriced === 0 && spent > limits.maxPolicyCost) reportPolicyCost(spent, priced, limits.maxPolicyCost, report);

  if (report.violations.length > 0) return { kind: "invalid", violations: report.violations };

  reportReachability(rules, defaultRoute, report);
  if (options.catalogue !== undefined) {
    reportCatalogueWarnings(routes, asCatalogue(options.catalogue), report);
  }
  const compiled: CompiledPolicy = {
    name: policy.name,
    priority: policy.priority ?? 0,
    revision: policy.revision ?? 0n,
    when,
    rules,
    defaultRoute,
    cost: Math.ceil(spent),
    source: policy,
  };
  return { kind: "compiled", policy: compiled, warnings: report.warnings };
}

/**
 * Compiles a stored policy: checks every field (names, rules, routes, targets, label selectors, strategies,
 * the limits) and parses and type-checks every CEL condition against the policy language, reporting every
 * problem at once with its path (and, for CEL, its position). Warnings flag what compiles but is probably
 * wrong, such as an unreachable rule. Pure, and never throws: any Policy is either compiled or invalid.
 */
export function compilePolicy(policy: Policy, options: CompileOptions = {}): CompileResult {
  try {
    return compileChecked(policy, options);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { kind: "invalid", violations: [{ field: "", description: `the policy could not be compiled: ${message}` }] };
  }
}
