/**
 * The policy language of modelrouter: compiles stored policies (CEL conditions over `input`, `request` and
 * `now`; routes of model and label-selector targets; strategies; fallbacks) and evaluates them for a
 * request against the model catalogue, with an explanation of every step. Pure: no I/O, no clock, no
 * randomness except what the caller passes in. The language is documented in this package's README.
 *
 * @packageDocumentation
 */
export { compilePolicy, type CompileOptions, type CompileResult } from "./compile-policy.js";
export type { PolicyViolation, SourcePosition } from "./policy-violation.js";
export type {
  CompiledPolicy,
  CompiledRule,
  CompiledRoute,
  CompiledTarget,
  CompiledModelTarget,
  CompiledSelectorTarget,
} from "./compiled-policy.js";
export type { CompiledCondition, ConditionOutcome } from "./compiled-condition.js";
export type { CompiledSelector, Labels } from "./label-selector.js";
export { evaluatePolicies, explainPolicies, orderPolicies } from "./evaluate-policies.js";
export type { EvaluationInput, EvaluationResult, PolicyOutcome } from "./evaluation-types.js";
export { createModelCatalogue, isSelectable, type ModelCatalogue } from "./model-catalogue.js";
export { compareVersions, newestFirst } from "./version-order.js";
export { createPolicyEnvironment, type PolicyEnvironment } from "./policy-environment.js";
export { POLICY_LIMITS, type PolicyLimits } from "./limits.js";
export { REQUEST_BOUNDS, requestBoundsViolations, type RequestBounds } from "./request-bounds.js";
export type { RouteStrategy, StrategyCandidate, StrategyChoice, StrategyContext } from "./route-strategy.js";
export {
  NO_LIVE_STATS,
  declaredStats,
  isSnapshotStats,
  snapshotStats,
  type CandidateStats,
  type CandidateStatsProvider,
  type LiveStats,
} from "./candidate-stats.js";
export { MIN_LIVE_LABELLED, MIN_LIVE_REQUESTS } from "./ranked-figures.js";
export { stableUnit } from "./stable-hash.js";
export { pickOfTwoChoices, twoChoicesProbability } from "./two-choices.js";
export { MAX_ROUTE_SHADOWS, type CompiledShadow } from "./shadow-compile.js";
export { LATENCY_BUCKETS_MS, LATENCY_BUCKET_COUNT, addBuckets, latencyBucketOf, latencyQuantile } from "./latency-histogram.js";
