import type { RegistryService } from "@modelrouter/contracts";
import { DomainError, ErrorReason } from "@modelrouter/errors";
import {
  type CompiledPolicy,
  type ModelCatalogue,
  type PolicyEnvironment,
  createModelCatalogue,
  createPolicyEnvironment,
  orderPolicies,
} from "@modelrouter/policy";
import { runWatchLoop, type ServiceClient } from "@modelrouter/rpc-kit";
import type { Logger } from "@modelrouter/telemetry";
import type { CatalogueSnapshot, CatalogueSource } from "./catalogue-snapshot.js";
import { type ModelState, type PolicyState, SnapshotTracker, applyModelMessage, applyPolicyMessage } from "./catalogue-state.js";

/** Options of {@link createCatalogueSync}. */
export interface CatalogueSyncOptions {
  readonly registry: ServiceClient<typeof RegistryService>;
  readonly logger: Logger;
  /** The first delay before reconnecting after a failure, in milliseconds (default 100); it doubles up to 5 s. */
  readonly retryDelayMs?: number;
  /** The longest delay between reconnection attempts, in milliseconds (default 5,000). */
  readonly maxRetryDelayMs?: number;
  /**
   * The deadline of one watch call, in milliseconds (default 10 minutes). At the deadline the stream is
   * reopened from the last revision seen, which loses nothing.
   */
  readonly watchTimeoutMs?: number;
  /** The policy language to compile with (default: a new environment). */
  readonly environment?: PolicyEnvironment;
}

/** The registry's models and policies, kept current from its watch streams. */
export interface CatalogueSync extends CatalogueSource {
  /** Resolves once both initial snapshots (models and policies) are loaded; rejects if closed before. */
  readonly ready: Promise<void>;
  /** The current snapshot (immutable; a new one replaces it on each change), or undefined before `ready`. */
  snapshot(): CatalogueSnapshot | undefined;
  /** Stops following the registry. The last snapshot stays readable. */
  close(): Promise<void>;
}

/**
 * Follows `registry.watchModels` and `registry.watchPolicies`: each starts with a snapshot of the whole state
 * (from the `reset` message to the one with `snapshot_complete`, published only once complete), then every
 * change (a revision sent in several messages is published once its last part arrived). Policies are
 * compiled as they arrive; one that no longer compiles is logged and skipped; a resource the registry
 * withholds because it is too large to send arrives as absent (left out, or deleted). When a stream fails it is reopened from the last revision seen, with bounded exponential
 * backoff, so a registry restart or a network partition loses no change; meanwhile decisions use the last
 * snapshot.
 */
export function createCatalogueSync(options: CatalogueSyncOptions): CatalogueSync {
  const logger = options.logger.child({ component: "catalogue-sync" });
  const environment = options.environment ?? createPolicyEnvironment();
  const retryDelayMs = options.retryDelayMs ?? 100;
  const maxRetryDelayMs = Math.max(retryDelayMs, options.maxRetryDelayMs ?? 5000);
  const watchTimeoutMs = options.watchTimeoutMs ?? 10 * 60_000;
  const controller = new AbortController();

  let models: ModelState = new Map();
  let policies: PolicyState = new Map();
  let catalogue: ModelCatalogue | undefined;
  let ordered: readonly CompiledPolicy[] | undefined;
  let modelsRevision = 0n;
  let policiesRevision = 0n;
  let current: CatalogueSnapshot | undefined;
  // While a snapshot arrives in several messages, the state is partial: decisions keep the last whole one.
  const modelsProgress = new SnapshotTracker();
  const policiesProgress = new SnapshotTracker();

  let markReady: () => void = () => undefined;
  let failReady: (error: unknown) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  ready.catch(() => undefined);

  const publish = (): void => {
    if (catalogue === undefined || ordered === undefined) return;
    const first = current === undefined;
    const revision = modelsRevision > policiesRevision ? modelsRevision : policiesRevision;
    current = Object.freeze({ revision, catalogue, policies: ordered });
    if (first) {
      logger.info("catalogue loaded", { revision, models: catalogue.models.length, policies: ordered.length });
      markReady();
    }
  };

  const loops = [
    runWatchLoop({
      name: "models",
      open: (sinceRevision, signal) => options.registry.watchModels({ sinceRevision }, { signal, timeoutMs: watchTimeoutMs }),
      apply: (message) => {
        models = applyModelMessage(models, message);
        modelsRevision = message.revision;
        if (!modelsProgress.note(message)) return;
        catalogue = createModelCatalogue([...models.values()], message.revision);
        publish();
      },
      logger,
      signal: controller.signal,
      streamTimeoutMs: watchTimeoutMs,
      retryDelayMs,
      maxRetryDelayMs,
    }),
    runWatchLoop({
      name: "policies",
      open: (sinceRevision, signal) =>
        options.registry.watchPolicies({ sinceRevision }, { signal, timeoutMs: watchTimeoutMs }),
      apply: (message) => {
        policies = applyPolicyMessage(policies, message, environment, logger);
        policiesRevision = message.revision;
        if (!policiesProgress.note(message)) return;
        ordered = orderPolicies([...policies.values()]);
        publish();
      },
      logger,
      signal: controller.signal,
      streamTimeoutMs: watchTimeoutMs,
      retryDelayMs,
      maxRetryDelayMs,
    }),
  ];

  return {
    ready,
    snapshot: () => current,
    async close() {
      controller.abort();
      await Promise.all(loops);
      if (current === undefined) {
        failReady(new DomainError(ErrorReason.SERVICE_NOT_READY, "the catalogue sync was closed before the catalogue loaded"));
      }
    },
  };
}
