import type { DescService } from "@bufbuild/protobuf";
import { Code, isRpcError, RpcError, type CallOptions, type ServiceClient } from "@modelrouter/rpc-kit";
import type { Logger } from "@modelrouter/telemetry";
import { createAddressPool } from "./address-pool.js";

/** Dependencies of {@link createBalancedClient}. */
export interface BalancedClientOptions<S extends DescService> {
  readonly service: S;
  /** `host:port` entries: IP literals, and DNS names standing for every address they resolve to. */
  readonly targets: readonly string[];
  /** Opens a client with a connection (channel and tunnel) of its own to one address (`Topology.open`). */
  readonly open: (address: string) => { readonly client: ServiceClient<S>; close(): void };
  /** Every address of a DNS name (`dns.lookup(host, { all: true })` in production). */
  readonly lookup: (host: string) => Promise<readonly string[]>;
  /** How often DNS names are resolved again, in ms. */
  readonly intervalMs: number;
  readonly logger: Logger;
  /** What the addresses are, in log lines and errors: e.g. "analyzer". */
  readonly what: string;
}

/** A client spread over every address of a service, kept current. */
export interface BalancedClient<S extends DescService> {
  readonly client: ServiceClient<S>;
  /** Settles after the first resolution. */
  readonly ready: Promise<void>;
  /** The addresses calls go to now. */
  addresses(): readonly string[];
  /** Resolves every DNS name again now (also done every `intervalMs`). */
  refresh(): Promise<void>;
  /** Stops resolving and closes every connection. */
  close(): void;
}

/**
 * A client of a service that has several instances: one connection per address (`createAddressPool`: IP literals
 * and every address of DNS names, resolved again every `intervalMs`), each call sent to the next address in turn
 * (round robin), so that every instance takes a share and a new one takes its share as soon as it is found. A unary
 * call refused UNAVAILABLE (the instance is gone, draining or not ready) is sent to the next address, each at most
 * once, within the call's deadline: use it for services whose calls are safe to repeat (the analyzer's and the
 * decision engine's are reads). A streaming call goes to one address.
 */
export function createBalancedClient<S extends DescService>(options: BalancedClientOptions<S>): BalancedClient<S> {
  const pool = createAddressPool({
    targets: options.targets,
    connect: options.open,
    lookup: options.lookup,
    intervalMs: options.intervalMs,
    logger: options.logger,
    what: options.what,
  });
  let turn = 0;
  const pick = (tried: ReadonlySet<string>) => {
    const entries = pool.entries();
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[(turn + i) % entries.length]!;
      if (tried.has(entry[0])) continue;
      turn = (turn + i + 1) % entries.length;
      return entry;
    }
    return undefined;
  };
  const none = () => new RpcError({ code: Code.UNAVAILABLE, message: `no ${options.what} address is known (yet): check its address setting and DNS` });

  const client: Record<string, unknown> = {};
  for (const method of options.service.methods) {
    const name = method.localName;
    type Call = (request: unknown, callOptions?: CallOptions) => unknown;
    const callOn = (entry: readonly [string, { client: ServiceClient<S> }]): Call => (entry[1].client as unknown as Record<string, Call>)[name]!;
    if (method.methodKind === "unary") {
      client[name] = async (request: unknown, callOptions?: CallOptions) => {
        const fixed: CallOptions | undefined =
          callOptions?.deadline === undefined && callOptions?.timeoutMs !== undefined ? { ...callOptions, deadline: Date.now() + callOptions.timeoutMs } : callOptions;
        const tried = new Set<string>();
        let last: unknown;
        for (;;) {
          const entry = pick(tried);
          if (entry === undefined) throw last ?? none();
          tried.add(entry[0]);
          try {
            return await callOn(entry)(request, fixed);
          } catch (error) {
            if (!isRpcError(error) || error.code !== Code.UNAVAILABLE || fixed?.signal?.aborted === true) throw error;
            if (fixed?.deadline !== undefined && Date.now() >= fixed.deadline) throw error;
            last = error;
          }
        }
      };
    } else {
      client[name] = (request: unknown, callOptions?: CallOptions) => {
        const entry = pick(new Set());
        if (entry === undefined) {
          return (async function* refused(): AsyncGenerator<never> {
            throw none();
          })();
        }
        return callOn(entry)(request, callOptions);
      };
    }
  }
  return {
    client: client as ServiceClient<S>,
    ready: pool.ready,
    addresses: () => pool.entries().map(([address]) => address),
    refresh: () => pool.refresh(),
    close: () => pool.close(),
  };
}
