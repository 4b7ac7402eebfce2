import type { DescService } from "@bufbuild/protobuf";
import {
  createDirectClient,
  createGrpcChannel,
  createGrpcClient,
  createTunnel,
  createTunnelClient,
  type ClientTls,
  type ServiceClient,
  type ServiceImpl,
  type Tunnel,
  type UnexpectedErrorListener,
} from "@modelrouter/rpc-kit";
import type { Component } from "./component.js";

/** How a process reaches the services it calls. */
export interface TopologyOptions {
  /**
   * How unary calls reach a remote service: `tunnel` (multiplexed on one long-lived stream per address) or
   * `unary` (one gRPC call each).
   */
  readonly transport: "tunnel" | "unary";
  /** The deadline of a call made without one and without a parent call, in ms. */
  readonly callTimeoutMs: number;
  readonly onUnexpectedError?: UnexpectedErrorListener;
  /**
   * Headers sent on every call to a remote service: the process's internal credential (`ServiceAuth.internalHeaders`).
   * In-process calls carry none: they are modelrouter's own code.
   */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** Calls to remote services (and the tunnels on their channels) over TLS (`ServiceTls.client`); none: plaintext. */
  readonly tls?: ClientTls | undefined;
}

/** Connects a process to the services it calls, hosted in the same process or elsewhere. */
export interface Topology {
  /**
   * A client of `service`: in-process calls to `where` when it is a component hosted here, else gRPC (or a
   * tunnel) to the `host:port` it names. The two clients have the same type and the same errors.
   */
  connect<S extends DescService>(service: S, where: Component<S> | string): ServiceClient<S>;
  /**
   * A client of `service` at `address` on a channel (and tunnel) of its own, not shared and not closed by
   * {@link Topology.close}: its owner closes it, for example when a discovered executor address disappears.
   */
  open<S extends DescService>(service: S, address: string): { readonly client: ServiceClient<S>; close(): void };
  /** Closes the channels opened to remote services (calls in flight fail UNAVAILABLE). */
  close(): Promise<void>;
}

/** Creates the topology of a process: one channel (and one tunnel) per remote address, shared by its clients. */
export function createTopology(options: TopologyOptions): Topology {
  const tunnels = new Map<string, Tunnel>();
  const channelOptions = { tls: options.tls };
  const tunnelOptions = { headers: options.headers };
  const tunnelTo = (address: string): Tunnel => {
    let tunnel = tunnels.get(address);
    if (tunnel === undefined) {
      tunnel = createTunnel(createGrpcChannel(address, channelOptions), tunnelOptions);
      tunnels.set(address, tunnel);
    }
    return tunnel;
  };
  const clientOptions = { defaultTimeoutMs: options.callTimeoutMs, headers: options.headers };
  return {
    connect<S extends DescService>(service: S, where: Component<S> | string): ServiceClient<S> {
      if (typeof where !== "string") {
        return createDirectClient(service, where.impl as ServiceImpl<S>, {
          defaultTimeoutMs: options.callTimeoutMs,
          ...(options.onUnexpectedError === undefined ? {} : { onUnexpectedError: options.onUnexpectedError }),
        });
      }
      const tunnel = tunnelTo(where);
      return options.transport === "tunnel" ? createTunnelClient(service, tunnel, clientOptions) : createGrpcClient(service, tunnel.channel, clientOptions);
    },
    open<S extends DescService>(service: S, address: string) {
      const tunnel = createTunnel(createGrpcChannel(address, channelOptions), tunnelOptions);
      const client = options.transport === "tunnel" ? createTunnelClient(service, tunnel, clientOptions) : createGrpcClient(service, tunnel.channel, clientOptions);
      return {
        client,
        close() {
          tunnel.close();
          tunnel.channel.close();
        },
      };
    },
    close() {
      for (const tunnel of tunnels.values()) {
        tunnel.close();
        tunnel.channel.close();
      }
      tunnels.clear();
      return Promise.resolve();
    },
  };
}
