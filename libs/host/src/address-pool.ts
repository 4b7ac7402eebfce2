import { isIP } from "node:net";
import { formatHostPort, parseHostPort } from "@modelrouter/syntax";
import type { Logger } from "@modelrouter/telemetry";

/** A connection a pool opened to one address, closed by the pool when the address goes. */
export interface Closeable {
  close(): void;
}

/** Dependencies of {@link createAddressPool}. */
export interface AddressPoolOptions<C extends Closeable> {
  /** The configured `host:port` entries: an IP literal is an address as it is, a DNS name stands for every address it resolves to. */
  readonly targets: readonly string[];
  /** Opens a connection to one resolved address. */
  readonly connect: (address: string) => C;
  /** Every address of a DNS name (`dns.lookup(host, { all: true })` in production). */
  readonly lookup: (host: string) => Promise<readonly string[]>;
  /** How often DNS names are resolved again, in ms. */
  readonly intervalMs: number;
  readonly logger: Logger;
  /** What the addresses are, in log lines: e.g. "executor instance". */
  readonly what: string;
  /** Called with an address that went, before its connection is closed (e.g. to wait for its calls in flight). Default: close at once. */
  readonly beforeClose?: (address: string) => Promise<void>;
  /** Called after the addresses changed. */
  readonly onChange?: () => void;
}

/** The connections to every address of a list of addresses and DNS names, kept current. */
export interface AddressPool<C extends Closeable> {
  /** The current addresses and their connections, in the order they were found. */
  entries(): readonly (readonly [string, C])[];
  /** Settles after the first resolution. */
  readonly ready: Promise<void>;
  /** Resolves every DNS name again now (also done every `intervalMs`). */
  refresh(): Promise<void>;
  /** Stops resolving and closes every connection. */
  close(): void;
}

interface Target {
  readonly text: string;
  readonly host: string;
  readonly port: number;
  readonly literal: boolean;
}

/**
 * Keeps one connection per address: one per IP literal of `targets`, and one per address each DNS name resolves
 * to, resolved again every `intervalMs` so that a Kubernetes headless Service's pods are found without a restart.
 * An address that disappears leaves the pool at once and its connection is closed (after `beforeClose`). A failed
 * lookup keeps the addresses that name had (a DNS outage must not empty the pool).
 *
 * @throws Error when a target is not `host:port`.
 */
export function createAddressPool<C extends Closeable>(options: AddressPoolOptions<C>): AddressPool<C> {
  const targets: Target[] = options.targets.map((text) => {
    const parsed = parseHostPort(text);
    if (parsed === undefined) throw new Error(`${options.what} address ${JSON.stringify(text)} is not host:port`);
    return { text, host: parsed.host, port: parsed.port, literal: isIP(parsed.host) !== 0 };
  });
  const resolved = new Map<string, readonly string[]>();
  const connections = new Map<string, C>();
  let entries: readonly (readonly [string, C])[] = [];
  let running: Promise<void> | undefined;
  let closed = false;

  const addressesOf = async (target: Target): Promise<readonly string[]> => {
    if (target.literal) return [target.text];
    try {
      const addresses = await options.lookup(target.host);
      return addresses.map((address) => formatHostPort(address, target.port));
    } catch (error) {
      options.logger.warn(`could not resolve an ${options.what} address; keeping its last addresses`, { address: target.text, error });
      return resolved.get(target.text) ?? [];
    }
  };

  const apply = (wanted: ReadonlySet<string>): void => {
    let changed = false;
    for (const [address, connection] of connections) {
      if (wanted.has(address)) continue;
      connections.delete(address);
      changed = true;
      options.logger.info(`${options.what} gone`, { address });
      const before = options.beforeClose?.(address) ?? Promise.resolve();
      void before.then(() => connection.close());
    }
    for (const address of wanted) {
      if (connections.has(address)) continue;
      connections.set(address, options.connect(address));
      changed = true;
      options.logger.info(`${options.what} found`, { address });
    }
    entries = [...connections];
    if (changed) options.onChange?.();
  };

  const resolveAll = async (): Promise<void> => {
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
    entries: () => entries,
    ready: refresh(),
    refresh,
    close() {
      closed = true;
      if (timer !== undefined) clearInterval(timer);
      for (const connection of connections.values()) connection.close();
      connections.clear();
      entries = [];
    },
  };
}
