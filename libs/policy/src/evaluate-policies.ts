import { create } from "@bufbuild/protobuf";
import { type Model, type PolicyEvaluation, RoutingDecisionSchema } from "@modelrouter/contracts";
import { DomainError, ErrorReason } from "@modelrouter/errors";
import { declaredStats } from "./candidate-stats.js";
import { type Activation, createActivation } from "./cel-values.js";
import type { CompiledPolicy, CompiledRoute } from "./compiled-policy.js";
import { explanationMessage, policyEvaluation, resolvedTarget, ruleEvaluation } from "./decision-messages.js";
import { decisionSummary, modelLabel, noServableModelMessage } from "./decision-text.js";
import type { EvaluationInput, EvaluationResult, PolicyOutcome } from "./evaluation-types.js";
import { type ModelCatalogue, asCatalogue } from "./model-catalogue.js";
import { chooseGuardedRoute } from "./guard-choice.js";
import { resolveRoute } from "./route-resolution.js";
import type { StrategyContext } from "./route-strategy.js";
import { chooseShadows } from "./shadow-selection.js";

function precedes(a: CompiledPolicy, b: CompiledPolicy): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The policies in evaluation order: priority descending, then name. Returns the list itself when ordered. */
export function orderPolicies(policies: readonly CompiledPolicy[]): readonly CompiledPolicy[] {
  for (let i = 1; i < policies.length; i++) {
    if (precedes(policies[i - 1] as CompiledPolicy, policies[i] as CompiledPolicy) > 0) {
      return [...policies].sort(precedes);
    }
  }
  return policies;
}

/** Whether any of a list of policies belongs to a tenant, by list (the same list serves many requests). */
const tenantedLists = new WeakMap<readonly CompiledPolicy[], boolean>();

/**
 * The policies that apply to a request of `tenant`: the shared ones (of no tenant) and that tenant's. Another
 * tenant's policies are left out of the evaluation and its explanation. Returns the list itself when none has a
 * tenant.
 */
export function policiesOfTenant(policies: readonly CompiledPolicy[], tenant: string): readonly CompiledPolicy[] {
  let tenanted = tenantedLists.get(policies);
  if (tenanted === undefined) {
    tenanted = policies.some((policy) => (policy.source.tenant ?? "") !== "");
    tenantedLists.set(policies, tenanted);
  }
  if (!tenanted) return policies;
  return policies.filter((policy) => {
    const owner = policy.source.tenant ?? "";
    return owner === "" || owner === tenant;
  });
}

function noLoad(): number {
  return 0;
}

function decide(
  input: EvaluationInput,
  catalogue: ModelCatalogue,
  policy: CompiledPolicy,
  rule: string,
  route: CompiledRoute,
  evaluations: PolicyEvaluation[],
  activate: () => Activation,
): PolicyOutcome {
  const tenant = input.context?.tenant ?? "";
  const resolution = resolveRoute(route, catalogue, input.profile.modality, tenant);
  const explain = input.explain !== false;
  const strategyContext: StrategyContext = {
    profile: input.profile,
    context: input.context,
    random: input.random,
    stats: input.stats ?? declaredStats,
    load: input.load ?? noLoad,
    explain,
    route: `${policy.name}/${rule === "" ? "default" : rule}`,
    bandits: input.bandits,
    activation: activate,
  };
  const health = input.health;
  const verdict = route.guard === undefined || health === undefined ? undefined : (model: Model) => health(policy.name, rule, model);
  let choice = chooseGuardedRoute(route, resolution, strategyContext, verdict);
  const target = choice.target;
  if (target === undefined) {
    // No servable model: the error lists every candidate's reason, so the route is chosen again with them
    // (a strategy that rejects every candidate draws no random number, so the second choice is the same).
    if (!explain) choice = chooseGuardedRoute(route, resolution, { ...strategyContext, explain: true }, verdict);
    const summary = decisionSummary(policy, rule, choice);
    const error = new DomainError(ErrorReason.NO_SERVABLE_MODEL, noServableModelMessage(policy, rule, resolution, choice), {
      metadata: {
        policy: policy.name,
        rule,
        candidates: resolution.candidates.map((c) => modelLabel(c.name, c.version)).join(","),
      },
    });
    return { kind: "failed", error, explanation: explanationMessage(evaluations, choice, summary) };
  }
  const shadows = chooseShadows(route, {
    catalogue,
    modality: input.profile.modality,
    tenant,
    random: input.random,
    serves: (name) => name === target.name || choice.fallbacks.some((c) => c.name === name),
  });
  const explained = shadows.outcomes.length === 0 ? choice : { ...choice, outcomes: [...choice.outcomes, ...shadows.outcomes] };
  const explanation = explain ? explanationMessage(evaluations, explained, decisionSummary(policy, rule, choice)) : undefined;
  const decision = create(RoutingDecisionSchema, {
    target: resolvedTarget(target),
    fallbacks: choice.fallbacks.map(resolvedTarget),
    shadows: shadows.mirrored.map(resolvedTarget),
    policy: policy.name,
    policyRevision: policy.revision,
    rule,
    explanation,
    catalogueRevision: input.catalogueRevision ?? catalogue.revision,
    propensity: choice.propensity,
    bandit: choice.bandit ?? "",
    features: [...(choice.features ?? [])],
  });
  const result: EvaluationResult = { decision, target: target.model, fallbacks: choice.fallbacks.map((c) => c.model) };
  return { kind: "decided", result };
}

function noRoute(evaluations: PolicyEvaluation[]): PolicyOutcome {
  const message =
    evaluations.length === 0
      ? "no policy decided the route: no policy is loaded; apply a policy with a rule or a default route"
      : `no policy decided the route: ${evaluations.map((e) => `policy "${e.policy}" ${e.note}`).join("; ")}`;
  const error = new DomainError(ErrorReason.NO_ROUTE, message, {
    metadata: { policies: evaluations.map((e) => e.policy).join(",") },
  });
  return { kind: "failed", error, explanation: explanationMessage(evaluations, undefined, message) };
}

/**
 * Evaluates the policies for one request and reports the outcome, decided or not, with the explanation.
 * The policies that apply (`when` empty or true) are taken by priority descending, then name; only the one
 * named by `context.policy` when it is set. A policy of a tenant applies only to that tenant's requests (see
 * {@link policiesOfTenant}): to another's it is as if it were not loaded; a model of a tenant is a candidate only
 * for that tenant's requests (see `resolveRoute`). In a policy, the first rule whose `when` holds decides, else the
 * default route; a policy with neither passes the request on. A condition that fails at run time (a missing
 * map key, a division by zero) does not match, and the error is recorded in the explanation.
 * Pure and deterministic: the same input gives the same outcome.
 */
export function explainPolicies(input: EvaluationInput): PolicyOutcome {
  let policies = orderPolicies(policiesOfTenant(input.policies, input.context?.tenant ?? ""));
  const pinned = input.context?.policy ?? "";
  if (pinned !== "") {
    const policy = policies.find((p) => p.name === pinned);
    if (policy === undefined) {
      const error = new DomainError(
        ErrorReason.POLICY_NOT_FOUND,
        `policy "${pinned}" (named by context.policy) is not loaded; omit context.policy to use every policy`,
        { metadata: { policy: pinned } },
      );
      return { kind: "failed", error, explanation: explanationMessage([], undefined, error.message) };
    }
    policies = [policy];
  }
  const catalogue = asCatalogue(input.catalogue);
  let activation: Activation | undefined;
  const activate = (): Activation =>
    (activation ??= createActivation(
      input.profile,
      input.context,
      typeof input.now === "number" ? new Date(input.now) : input.now,
    ));

  const evaluations: PolicyEvaluation[] = [];
  for (const policy of policies) {
    const applies = policy.when === undefined ? true : policy.when.evaluate(activate());
    if (applies !== true) {
      const note = applies === false ? "does not apply: its when is false" : `does not apply: its when failed: ${applies.error}`;
      evaluations.push(policyEvaluation(policy.name, { applies: false, note }));
      continue;
    }
    const rules = [];
    let route: CompiledRoute | undefined;
    let ruleName = "";
    for (const rule of policy.rules) {
      const outcome = rule.when.evaluate(activate());
      const error = typeof outcome === "object" ? outcome.error : "";
      rules.push(ruleEvaluation(rule.name, outcome === true, error));
      if (outcome === true) {
        route = rule.route;
        ruleName = rule.name;
        break;
      }
    }
    route ??= policy.defaultRoute;
    if (route === undefined) {
      const note = `${policy.rules.length === 0 ? "has no rules" : "matched no rule"} and has no default route`;
      evaluations.push(policyEvaluation(policy.name, { applies: true, rules, note }));
      continue;
    }
    evaluations.push(policyEvaluation(policy.name, { applies: true, rules, decided: true }));
    return decide(input, catalogue, policy, ruleName, route, evaluations, activate);
  }
  return noRoute(evaluations);
}

/**
 * Decides the route of one request (see {@link explainPolicies} for the semantics). Throws a DomainError:
 * POLICY_NOT_FOUND when `context.policy` names a policy that is not loaded; NO_ROUTE when no policy decides
 * (the message lists what was evaluated); NO_SERVABLE_MODEL when the deciding route has no eligible model
 * (the message lists every candidate and why it was rejected). Pure and deterministic.
 */
export function evaluatePolicies(input: EvaluationInput): EvaluationResult {
  const outcome = explainPolicies(input);
  if (outcome.kind === "failed") throw outcome.error;
  return outcome.result;
}

