import { create } from "@bufbuild/protobuf";
import { type PolicyEstimate, PolicyEstimateSchema } from "@modelrouter/contracts";
import {
  POLICY_LIMITS,
  compilePolicy,
  createModelCatalogue,
  createPolicyEnvironment,
  estimateOffPolicy,
} from "@modelrouter/policy";
import { catalogueScope } from "../policies/catalogue-scope.js";
import { checkPolicyBudget, storedPolicyCosts } from "../policies/policy-budget.js";
import { policyInvalid } from "../policies/policy-invalid.js";
import type { RegistryStore } from "../store/registry-store.js";
import type { EvaluationRequest } from "./evaluate-policy-request.js";
import { estimateNotes } from "./estimate-notes.js";
import { readLoggedDecisions } from "./logged-decisions.js";
import { replayDecisions } from "./replay-decisions.js";

/** At most this many logged decisions are read for one evaluation (most have no feedback). */
export const MAX_SCANNED_DECISIONS = 1_000_000;

/** What bounds one evaluation: the call's signal, and when it must stop reading and replaying. */
export interface EvaluationBounds {
  readonly signal: AbortSignal;
  /** True when the work must stop (the deadline is near): the estimate then rests on what was read so far. */
  readonly mustStop: () => boolean;
}

/**
 * The bounds of an evaluation within a call: it stops reading and replaying when a fifth of the time the call
 * had is left (at most 2 s before its deadline), so that it can still answer; without a deadline it never stops.
 */
export function evaluationBounds(deadline: number, signal: AbortSignal, now: () => number = Date.now): EvaluationBounds {
  const margin = Math.min(2_000, (deadline - now()) / 5);
  const stopAt = deadline - margin;
  return { signal, mustStop: () => now() >= stopAt };
}

/**
 * Off-policy evaluation of an unsaved policy on the logged traffic of a window. The policy is compiled against
 * the registered models its targets can resolve to, with ApplyPolicy's checks (it must compile, and its cost with
 * every other stored policy must stay within the budget), and is never stored. The window's usable decisions (see
 * `readLoggedDecisions`) are replayed through it **alone**, as the only policy (see `replayDecisions`), and the
 * estimators of `estimateOffPolicy` give the estimate; its notes say what was passed over and how far to trust it.
 *
 * @throws DomainError POLICY_INVALID naming `policy.<field>` when it does not compile; QUOTA_EXCEEDED when the
 *   policies together would cost more than their budget.
 */
export async function evaluatePolicy(store: RegistryStore, request: EvaluationRequest, bounds: EvaluationBounds): Promise<PolicyEstimate> {
  const environment = createPolicyEnvironment();
  const scope = catalogueScope(request.policy);
  const models = await store.catalogueModels(scope.names, scope.selectable);
  const compiled = compilePolicy(request.policy, { catalogue: models, environment });
  if (compiled.kind === "invalid") throw policyInvalid(request.policy, compiled.violations);
  const policy = compiled.policy;
  checkPolicyBudget(policy, await storedPolicyCosts(store, request.policy.name, environment), POLICY_LIMITS.maxTotalCost);

  const since = new Date(store.now().getTime() - request.windowMs);
  const logged = await readLoggedDecisions(store, {
    since,
    metric: request.metric,
    maxDecisions: request.maxDecisions,
    maxScanned: MAX_SCANNED_DECISIONS,
    mustStop: bounds.mustStop,
    signal: bounds.signal,
  });
  const replay = await replayDecisions(policy, createModelCatalogue(models), logged.usable, bounds.mustStop);
  const estimate = estimateOffPolicy(replay.outcomes);
  return create(PolicyEstimateSchema, {
    metric: request.metric,
    decisions: BigInt(estimate.decisions),
    matched: BigInt(estimate.matched),
    ips: estimate.ips,
    snips: estimate.snips,
    lower: estimate.lower,
    upper: estimate.upper,
    effectiveSampleSize: estimate.effectiveSampleSize,
    logged: estimate.logged,
    doublyRobust: estimate.doublyRobust,
    notes: estimateNotes({ estimate, logged, replay, maxDecisions: request.maxDecisions }),
  });
}
