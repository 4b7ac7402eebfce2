/**
 * The router: the front door of modelrouter. Validates a request, asks the analyzer and the decision engine,
 * runs the chosen model through the executor with fallbacks within the deadline, answers with the outputs and
 * a record of why, and logs the decision in the registry for feedback.
 *
 * @packageDocumentation
 */
export {
  createRouterService,
  type DecisionLogSettings,
  type Router,
  type RouterDependencies,
  type RouterLimits,
} from "./router-service.js";
export {
  executeWithFallbacks,
  runWithFallbacks,
  type Execution,
  type ExecutionPlan,
  type FallbackSettings,
} from "./execute-with-fallbacks.js";
export { executeStreamWithFallbacks } from "./execute-stream-with-fallbacks.js";
export { streamingExecutorCall, unaryExecutorCall, type ExecutorCall, type ExecutorEvent } from "./executor-calls.js";
export { FIRST_TOKEN_EVENT, GenAiAttr } from "./run-attempt.js";
export { beginAttempt, singleExecutor, type ExecutorInstance, type ExecutorInstances } from "./executor-instances.js";
export {
  discoverExecutors,
  type DiscoveredExecutors,
  type ExecutorDiscoveryOptions,
  type OwnedClient,
} from "./executor-discovery.js";
export { createInstanceLoad, type InstanceLoad, type ModelInFlight } from "./instance-load.js";
export { chooseInstance, type InstanceHistory, type InstanceState } from "./instance-choice.js";
export {
  createInstanceBreaker,
  DEFAULT_BREAKER_SETTINGS,
  type BreakerAttempt,
  type BreakerObserver,
  type BreakerSettings,
  type BreakerState,
  type InstanceBreaker,
  type InstanceCondition,
} from "./instance-breaker.js";
export { instanceOutcomeOf, type InstanceOutcome } from "./instance-outcome.js";
export { instanceStatuses } from "./instance-statuses.js";
export { createDecisionRecorder, observedRecorder, type DecisionObserver, type DecisionRecorder, type RecorderStats } from "./decision-recorder.js";
export {
  createShadowRunner,
  type ShadowExecute,
  type ShadowRequest,
  type ShadowRun,
  type ShadowRunner,
  type ShadowRunnerOptions,
  type ShadowSettings,
} from "./shadow-runner.js";
export { compareAnswers, type ShadowComparison } from "./shadow-comparison.js";
export { decisionRecordOf, generationUsage, type RoutedRequest } from "./decision-records.js";
export {
  createModelStatsCollector,
  type AttemptObserver,
  type ModelStatsCollector,
  type ModelStatsCollectorOptions,
  type ModelStatsInterval,
} from "./model-stats-collector.js";
export {
  createModelStatsReporter,
  realIntervalTimer,
  type IntervalTimer,
  type ModelStatsReporter,
  type ModelStatsReporterOptions,
  type ModelStatsReporterStats,
} from "./model-stats-reporter.js";
export { DEFAULT_MODEL_STATS_KEYS, startModelStats, type ModelStatsSettings } from "./model-stats-settings.js";
export {
  createRequestGate,
  TENANT_LIMITS_SETTING,
  type GatedCall,
  type GatedOutcome,
  type GatePass,
  type RequestGate,
  type RequestGateSettings,
} from "./request-gate.js";
export {
  createAdaptiveConcurrency,
  DEFAULT_ADAPTIVE_CONCURRENCY,
  isAdmitted,
  tierShare,
  type AdaptiveConcurrency,
  type AdaptiveConcurrencySettings,
  type AdmissionSlot,
  type RequestOutcome,
  type ShedFacts,
} from "./adaptive-concurrency.js";
export {
  createTenantLimiter,
  DEFAULT_MAX_TENANTS,
  isTenantSlot,
  type TenantLimit,
  type TenantLimiter,
  type TenantLimitSettings,
  type TenantRefusal,
  type TenantSlot,
} from "./tenant-limiter.js";
export { DEFAULT_TENANT_LIMIT, parseTenantLimits, TENANT_LIMITS_FORMAT, type ParsedTenantLimits } from "./tenant-limits-format.js";
