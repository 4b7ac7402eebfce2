import type { DecisionService, RegistryService } from "@modelrouter/contracts";
import type { ServiceClient, ServiceImpl } from "@modelrouter/rpc-kit";
import type { Logger } from "@modelrouter/telemetry";
import { createCatalogueSync } from "./catalogue-sync.js";
import { createDecisionService } from "./decision-service.js";

/** A running decision engine: its handlers, when its first snapshot is loaded, and how to stop it. */
export interface DecisionComponent {
  readonly impl: ServiceImpl<typeof DecisionService>;
  /** Resolves once the models and policies are loaded; until then `Decide` fails with SERVICE_NOT_READY. */
  readonly ready: Promise<void>;
  readonly close: () => Promise<void>;
}

/** Follows the registry (over gRPC or in-process, through `registry`) and decides on its snapshot. */
export function startDecisionEngine(registry: ServiceClient<typeof RegistryService>, logger: Logger): DecisionComponent {
  const sync = createCatalogueSync({ registry, logger });
  return { impl: createDecisionService({ catalogue: sync }), ready: sync.ready, close: () => sync.close() };
}
