import { DecisionService, type RegistryService } from "@modelrouter/contracts";
import type { Component } from "@modelrouter/host";
import type { ServiceClient, ServiceImpl } from "@modelrouter/rpc-kit";
import type { Logger } from "@modelrouter/telemetry";
import { createCatalogueSync } from "./catalogue-sync.js";
import { createDecisionService } from "./decision-service.js";
import { type HealthSettings, createHealthPoller } from "./health-poller.js";
import { type BanditPollSettings, createBanditPoller } from "./bandit-poller.js";
import { type StatsPollSettings, createStatsPoller } from "./stats-poller.js";

/** A running decision engine: its handlers, when its first snapshot is loaded, and how to stop it. */
export interface DecisionComponent extends Component<typeof DecisionService> {
  readonly impl: ServiceImpl<typeof DecisionService>;
  /** Resolves once the models and policies are loaded; until then `Decide` fails with SERVICE_NOT_READY. */
  readonly ready: Promise<void>;
  readonly close: () => Promise<void>;
}

/** Options of {@link startDecisionEngine}. */
export interface DecisionEngineOptions {
  /**
   * How to follow the registry's live statistics (`ListModelStats`), which the fastest and best strategies
   * and `candidate.live` in constraints read; false: decide on the declared metrics only. Default: every 2 s
   * over 5 minutes.
   */
  readonly liveStats?: StatsPollSettings | false;
  /**
   * How guarded routes follow their candidates' health (`ListModelStats` since a fixed anchor, differenced into
   * a short window); false: guards never degrade a candidate. Default: every second over 30 s.
   */
  readonly health?: HealthSettings | false;
  /**
   * How STRATEGY_BANDIT routes follow what their bandits learned (`ListBanditArms`); false: every bandit stays
   * at its prior. Default: every 2 s.
   */
  readonly bandits?: BanditPollSettings | false;
}

/**
 * Follows the registry (over gRPC or in-process, through `registry`) and decides on its snapshot and on the
 * live statistics it polls from the same registry; a what-if Decide reads the policy revision it names from
 * the same registry.
 */
export function startDecisionEngine(
  registry: ServiceClient<typeof RegistryService>,
  logger: Logger,
  options: DecisionEngineOptions = {},
): DecisionComponent {
  const sync = createCatalogueSync({ registry, logger });
  const poller = options.liveStats === false ? undefined : createStatsPoller({ registry, logger, ...(options.liveStats ?? {}) });
  const health = options.health === false ? undefined : createHealthPoller({ registry, catalogue: sync, logger, ...(options.health ?? {}) });
  const bandits = options.bandits === false ? undefined : createBanditPoller({ registry, logger, ...(options.bandits ?? {}) });
  const impl = createDecisionService({
    catalogue: sync,
    registry,
    ...(bandits === undefined ? {} : { bandits }),
    ...(poller === undefined ? {} : { liveStats: poller }),
    ...(health === undefined ? {} : { health }),
  });
  return {
    service: DecisionService,
    impl,
    ready: sync.ready,
    close: async () => {
      await Promise.all([sync.close(), poller?.close(), health?.close(), bandits?.close()]);
    },
  };
}
