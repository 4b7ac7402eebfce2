import { durationMs } from "@bufbuild/protobuf/wkt";
import { type EvaluatePolicyRequest, ExperimentMetric, type Policy } from "@modelrouter/contracts";
import { Violations } from "@modelrouter/errors";
import { checkPolicyBounds } from "../validation/policy-bounds.js";

/** The default `window` of EvaluatePolicy: 24 hours, in ms. */
export const DEFAULT_EVALUATION_WINDOW_MS = 24 * 3_600_000;
/** The longest `window`: 30 days. */
export const MAX_EVALUATION_WINDOW_MS = 30 * 24 * 3_600_000;
/** The default and largest `max_decisions`. */
export const MAX_EVALUATED_DECISIONS = 100_000;

/** The metrics EvaluatePolicy estimates. */
export type EvaluatedMetric = ExperimentMetric.ACCURACY | ExperimentMetric.REWARD;

/** An EvaluatePolicy request, checked. */
export interface EvaluationRequest {
  readonly policy: Policy;
  readonly windowMs: number;
  readonly metric: EvaluatedMetric;
  readonly maxDecisions: number;
}

/**
 * Checks an EvaluatePolicy request: the policy is required and within ApplyPolicy's bounds; `window` is a positive
 * duration of at most 30 days (unset: 24 hours); `metric` is accuracy (also when unset) or reward; `max_decisions`
 * 0 means 100,000, and more is read as 100,000.
 *
 * @throws DomainError INVALID_FIELD naming every field that is wrong and how to fix it.
 */
export function parseEvaluatePolicy(request: EvaluatePolicyRequest): EvaluationRequest {
  const v = new Violations();
  if (request.policy === undefined) v.add("policy", "is required: the policy to evaluate, as ApplyPolicy takes it (it is not stored)");
  else checkPolicyBounds(v, "policy", request.policy);
  let windowMs = DEFAULT_EVALUATION_WINDOW_MS;
  if (request.window !== undefined) {
    const { seconds, nanos } = request.window;
    const ms = durationMs(request.window);
    if (seconds < 0n || nanos < 0 || nanos > 999_999_999 || !(ms > 0 && ms <= MAX_EVALUATION_WINDOW_MS)) {
      v.add(
        "window",
        `is ${Number.isFinite(ms) ? `${ms / 1000} s` : "not a valid duration"}: give how far back the logged decisions reach, ` +
          "more than 0 and at most 30 days, such as 24h (or leave it unset for 24 hours)",
      );
    } else windowMs = ms;
  }
  let metric: EvaluatedMetric = ExperimentMetric.ACCURACY;
  if (request.metric === ExperimentMetric.REWARD) metric = ExperimentMetric.REWARD;
  else if (request.metric !== ExperimentMetric.ACCURACY && request.metric !== ExperimentMetric.UNSPECIFIED) {
    v.add(
      "metric",
      `is ${ExperimentMetric[request.metric] ?? request.metric}: off-policy evaluation estimates EXPERIMENT_METRIC_ACCURACY ` +
        "(decisions with a label) or EXPERIMENT_METRIC_REWARD (decisions with a reward)",
    );
  }
  v.throwIfAny("the policy cannot be evaluated");
  const maxDecisions = request.maxDecisions === 0 ? MAX_EVALUATED_DECISIONS : Math.min(request.maxDecisions, MAX_EVALUATED_DECISIONS);
  return { policy: request.policy as Policy, windowMs, metric, maxDecisions };
}
