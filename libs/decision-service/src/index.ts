/**
 * The decision engine's service: a snapshot of the registry's models and compiled policies, kept current
 * from the registry's watch streams, and the DecisionService handler that evaluates the policies on it.
 *
 * Wiring: `createCatalogueSync({ registry, logger })` → `await sync.ready` (optional) →
 * `createDecisionService({ catalogue: sync, registry, liveStats: createStatsPoller({ registry, logger }) })`, served
 * with the RPC kit; `sync.close()` and the poller's `close()` on shutdown (`startDecisionEngine` does all of it).
 * The poller's live statistics (ListModelStats) feed the fastest and best strategies and `candidate.live`.
 * A Decide with `what_if` evaluates an unsaved policy body, or a revision read from `registry`, in place of the
 * applied policy of its name, for that call only (docs/policies.md, "What-if Explain").
 *
 * @packageDocumentation
 */
export { createCatalogueSync, type CatalogueSync, type CatalogueSyncOptions } from "./catalogue-sync.js";
export type { CatalogueSnapshot, CatalogueSource } from "./catalogue-snapshot.js";
export { createDecisionService, type DecisionServiceOptions } from "./decision-service.js";
export { startDecisionEngine, type DecisionComponent, type DecisionEngineOptions } from "./decision-component.js";
export { liveStatsOf, liveStatsSnapshot, type LiveStatsSnapshot } from "./live-stats-snapshot.js";
export {
  createStatsPoller,
  type LiveStatsSource,
  type StatsPollSettings,
  type StatsPoller,
  type StatsPollerOptions,
} from "./stats-poller.js";
export { createHealthRing, type HealthRing, type HealthRingOptions } from "./health-ring.js";
export { createGuardTracker, type GuardHealthSource, type GuardTracker, type TrackedGuard } from "./guard-tracker.js";
export { createHealthPoller, type HealthPoller, type HealthPollerOptions, type HealthSettings } from "./health-poller.js";
export {
  createBanditPoller,
  type BanditPoller,
  type BanditPollerOptions,
  type BanditPollSettings,
  type BanditSource,
} from "./bandit-poller.js";
export { banditSnapshot, type BanditSnapshot } from "./bandit-snapshot.js";
