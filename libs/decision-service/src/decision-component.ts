import { DecisionService, type RegistryService } from "@modelrouter/contracts";
import type { Component } from "@modelrouter/host";
import type { ServiceClient, ServiceImpl } from "@modelrouter/rpc-kit";
import type { Logger } from "@modelrouter/telemetry";
import { createCatalogueSync } from "./catalogue-sync.js";
import { createDecisionService } from "./decision-service.js";

/** A running decision engine: its handlers, when its first snapshot is loaded, and how to stop it. */
export interface DecisionComponent extends Component<typeof DecisionService> {
  readonly impl: ServiceImpl<typeof DecisionService>;
  /** Resolves once the models and policies are loaded; until then `Decide` fails with SERVICE_NOT_READY. */
  readonly ready: Promise<void>;
  readonly close: () => Promise<void>;
}

/**
 * Follows the registry (over gRPC or in-process, through `registry`) and decides on its snapshot; a what-if
 * Decide reads the policy revision it names from the same registry.
 */
export function startDecisionEngine(registry: ServiceClient<typeof RegistryService>, logger: Logger): DecisionComponent {
  const sync = createCatalogueSync({ registry, logger });
  return { service: DecisionService, impl: createDecisionService({ catalogue: sync, registry }), ready: sync.ready, close: () => sync.close() };
}
