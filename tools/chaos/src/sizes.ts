import type { CrashConsistencySize } from "./scenarios/crash-consistency.js";
import type { ExecutorKillSize } from "./scenarios/executor-kill.js";
import type { HungExecutorSize } from "./scenarios/hung-executor.js";
import type { RegistryOutageSize } from "./scenarios/registry-outage.js";
import { EVERY_SERVICE, type RollingRestartSize } from "./scenarios/rolling-restart.js";

/** The sizes of every scenario, for one form of the suite. */
export interface SuiteSizes {
  readonly executorKill: ExecutorKillSize;
  readonly hungExecutor: HungExecutorSize;
  readonly registryOutage: RegistryOutageSize;
  readonly crashConsistency: CrashConsistencySize;
  readonly rollingRestart: RollingRestartSize;
}

/** The full form (`npm run chaos -w @modelrouter/chaos`): the sizes docs/reliability.md reports. */
export const FULL: SuiteSizes = {
  executorKill: { ratePerSecond: 50, durationMs: 30_000, killAtMs: 10_000, downMs: 2_000, afterMs: 5_000, deadlineMs: 2_000 },
  hungExecutor: { ratePerSecond: 20, holdMs: 5_000, deadlineMs: 300 },
  registryOutage: { ratePerSecond: 30, outageMs: 30_000, afterMs: 5_000, deadlineMs: 2_000 },
  crashConsistency: { kills: 20, writesPerKill: 50, writers: 4 },
  rollingRestart: { ratePerSecond: 30, pauseMs: 2_000, deadlineMs: 2_000, services: EVERY_SERVICE },
};

/** The short form CI runs (the project's `test` target): each scenario scaled down, invariants only. */
export const SHORT: SuiteSizes = {
  executorKill: { ratePerSecond: 30, durationMs: 5_000, killAtMs: 1_500, downMs: 500, afterMs: 1_500, deadlineMs: 2_000 },
  hungExecutor: { ratePerSecond: 10, holdMs: 2_000, deadlineMs: 300 },
  registryOutage: { ratePerSecond: 20, outageMs: 3_000, afterMs: 1_000, deadlineMs: 2_000 },
  crashConsistency: { kills: 2, writesPerKill: 20, writers: 4 },
  rollingRestart: { ratePerSecond: 20, pauseMs: 1_000, deadlineMs: 2_000, services: ["executor-1", "analyzer-1", "decision-engine-2", "registry", "router-1"] },
};
