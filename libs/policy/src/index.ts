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
export { Z_95, estimateOffPolicy, type LoggedOutcome, type OffPolicyEstimate } from "./off-policy-estimates.js";
export { CHOICE_DRAWS, actionKey, choiceDistribution, type ChoiceDistribution, type ChoiceMethod } from "./off-policy-choice.js";
export { seededRandom } from "./seeded-random.js";
export {
  DEFAULT_EXPERIMENT_ALPHA,
  DEFAULT_EXPERIMENT_MIN_SAMPLES,
  MIN_EXPERIMENT_MIN_SAMPLES,
  experimentMetricName,
  experimentName,
  experimentSettings,
  experimentTestSettings,
  type CompiledExperiment,
  type ExperimentMetricName,
  type ExperimentSettings,
  type ExperimentTestSettings,
} from "./experiment-compile.js";
export {
  ACCURACY_TAU,
  STANDARDISED_TAU,
  SampleAccumulator,
  compareArms,
  logMixtureRatio,
  mixingTau,
  observationVariance,
  runningPValue,
  type ArmSample,
  type SequentialComparison,
} from "./sequential-test.js";
export {
  assessExperiment,
  type ExperimentArmFigures,
  type ExperimentAssessment,
  type ExperimentDecision,
} from "./experiment-verdict.js";
export {
  DEFAULT_GUARD_HOLD_MS,
  DEFAULT_GUARD_MIN_SAMPLES,
  DEFAULT_PROBE_SHARE,
  DEFAULT_RECOVERY_MARGIN,
  MAX_GUARD_HOLD_MS,
  MAX_PROBE_SHARE,
  compileGuard,
  type CompiledGuard,
} from "./guard-compile.js";
export {
  HEALTHY_GUARD_STATE,
  advanceGuard,
  recoveryBounds,
  type GuardFigure,
  type GuardFigures,
  type GuardState,
  type RecoveryBounds,
} from "./guard-state.js";
export { chooseGuardedRoute, type GuardHealth, type GuardVerdict } from "./guard-choice.js";
export type { BanditArmState, BanditState, BanditStates } from "./bandit-state.js";
export { banditArmKey } from "./bandit-state.js";
export { banditVector, emptyBanditArm, learnBanditReward } from "./bandit-learning.js";
export { DEFAULT_MAX_EXPLORATION, DEFAULT_MIN_SHARE, banditDigest } from "./bandit-config.js";
export { MAX_BANDIT_FEATURES } from "./bandit-features.js";
export { betaCdf, normalCdf, probabilitiesOfBest } from "./bandit-distributions.js";
export { boundedShares } from "./bandit-shares.js";
export {
  clampReward,
  compileReward,
  defaultReward,
  type CompiledReward,
  type RewardFeedback,
  type RewardInput,
} from "./bandit-reward.js";
export { parseBanditKey, storedBanditReward, type BanditKeyParts } from "./bandit-key.js";
