import { isIP } from "node:net";
import type { ExecutorService } from "@modelrouter/contracts";
import type { ServiceClient } from "@modelrouter/rpc-kit";
import { formatHostPort, parseHostPort } from "@modelrouter/syntax";
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

interface Target {
  readonly text: string;
  readonly host: string;
  readonly port: number;
  readonly literal: boolean;
}

/**
 * Discovers the executor instances: one per IP literal of `targets`, and one per address each DNS name resolves
 * to, resolved again every `intervalMs` so that a Kubernetes headless Service's pods are found without a restart.
 * Each address gets a client of its own, so that no long-lived tunnel pins the router to one executor; an address
 * that disappears leaves the list at once and its client is closed once its calls in flight have ended. A failed
 * lookup keeps the addresses that name had (a DNS outage must not empty the list).
 */
export function discoverExecutors(options: ExecutorDiscoveryOptions): DiscoveredExecutors {
  const load = options.load ?? createInstanceLoad();
  const targets: Target[] = options.targets.map((text) => {
    const parsed = parseHostPort(text);
    if (parsed === undefined) throw new Error(`executor address ${JSON.stringify(text)} is not host:port`);
    return { text, host: parsed.host, port: parsed.port, literal: isIP(parsed.host) !== 0 };
  });
  const resolved = new Map<string, readonly string[]>();
  const clients = new Map<string, OwnedClient>();
  let instances: readonly ExecutorInstance[] = [];
  let running: Promise<void> | undefined;
  let closed = false;

  const addressesOf = async (target: Target): Promise<readonly string[]> => {
    if (target.literal) return [target.text];
    try {
      const addresses = await options.lookup(target.host);
      return addresses.map((address) => formatHostPort(address, target.port));
    } catch (error) {
      options.logger.warn("could not resolve an executor address; keeping its last addresses", { address: target.text, error });
      return resolved.get(target.text) ?? [];
    }
  };

  const apply = (wanted: ReadonlySet<string>) => {
    for (const [address, owned] of clients) {
      if (wanted.has(address)) continue;
      clients.delete(address);
      options.logger.info("executor instance gone", { instance: address });
      void load.idle(address).then(() => owned.close());
    }
    for (const address of wanted) {
      if (clients.has(address)) continue;
      clients.set(address, options.connect(address));
      options.logger.info("executor instance found", { instance: address });
    }
    instances = [...clients].map(([name, owned]) => ({ name, client: owned.client }));
  };

  const resolveAll = async () => {
    const lists = await Promise.all(targets.map(addressesOf));
    if (closed) return;
    targets.forEach((target, i) => resolved.set(target.text, lists[i] ?? []));
    apply(new Set(lists.flat()));
  };

  const refresh = (): Promise<void> => {
    running ??= resolveAll().finally(() => {
      running = undefined;
    });
    return running;
  };

  const timer = targets.some((t) => !t.literal) ? setInterval(() => void refresh(), options.intervalMs) : undefined;
  timer?.unref();

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
    ready: refresh(),
    refresh,
    close() {
      closed = true;
      if (timer !== undefined) clearInterval(timer);
      for (const owned of clients.values()) owned.close();
      clients.clear();
      instances = [];
      return Promise.resolve();
    },
  };
}
