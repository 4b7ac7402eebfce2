import type { ExecutorService } from "@modelrouter/contracts";
import { createAddressPool } from "@modelrouter/host";
import type { ServiceClient } from "@modelrouter/rpc-kit";
import type { Logger } from "@modelrouter/telemetry";
import type { ExecutorInstance, ExecutorInstances } from "./executor-instances.js";
import { createInstanceBreaker, type BreakerSettings } from "./instance-breaker.js";
import { createInstanceLoad, type InstanceLoad } from "./instance-load.js";

/** A client with a connection of its own (one channel, one tunnel), closed by its owner. */
export interface OwnedClient {
  readonly client: ServiceClient<typeof ExecutorService>;
  close(): void;
}

/** Dependencies of {@link discoverExecutors}. */
export interface ExecutorDiscoveryOptions {
  /** The configured `host:port` entries: IP literals are instances as they are, DNS names stand for every address. */
  readonly targets: readonly string[];
  /** Opens a client to one resolved address. */
  readonly connect: (address: string) => OwnedClient;
  /** Every address of a DNS name (`dns.lookup(host, { all: true })` in production). */
  readonly lookup: (host: string) => Promise<readonly string[]>;
  /** How often DNS names are resolved again, in ms. */
  readonly intervalMs: number;
  readonly logger: Logger;
  readonly load?: InstanceLoad;
  /** The circuit breakers' settings (default: `DEFAULT_BREAKER_SETTINGS`). */
  readonly breaker?: BreakerSettings;
}

/** Executors discovered from a list of addresses and DNS names, kept current. */
export interface DiscoveredExecutors extends ExecutorInstances {
  /** Settles after the first resolution. */
  readonly ready: Promise<void>;
  /** Resolves every DNS name again now (also done every `intervalMs`). */
  refresh(): Promise<void>;
  /** Stops resolving and closes every client. */
  close(): Promise<void>;
}

/**
 * Discovers the executor instances: one per IP literal of `targets`, and one per address each DNS name resolves
 * to, resolved again every `intervalMs` so that a Kubernetes headless Service's pods are found without a restart
 * (`createAddressPool`). Each address gets a client of its own, so that no long-lived tunnel pins the router to one
 * executor; an address that disappears leaves the list at once and its client is closed once its calls in flight
 * have ended. A failed lookup keeps the addresses that name had (a DNS outage must not empty the list).
 */
export function discoverExecutors(options: ExecutorDiscoveryOptions): DiscoveredExecutors {
  const load = options.load ?? createInstanceLoad();
  let instances: readonly ExecutorInstance[] = [];
  const pool = createAddressPool({
    targets: options.targets,
    connect: options.connect,
    lookup: options.lookup,
    intervalMs: options.intervalMs,
    logger: options.logger,
    what: "executor instance",
    beforeClose: (address) => load.idle(address),
    onChange: () => {
      instances = pool.entries().map(([name, owned]) => ({ name, client: owned.client }));
    },
  });

  return {
    list: () => instances,
    load,
    breaker: createInstanceBreaker(
      () => instances.map((instance) => instance.name),
      options.breaker,
      (instance, { state, reason }) =>
        state === "healthy"
          ? options.logger.info("executor instance healthy again", { instance })
          : options.logger.warn(`executor instance ${state}`, { instance, reason }),
    ),
    ready: pool.ready,
    refresh: () => pool.refresh(),
    close() {
      pool.close();
      instances = [];
      return Promise.resolve();
    },
  };
}
