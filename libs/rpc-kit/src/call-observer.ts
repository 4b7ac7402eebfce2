import type { Transport } from "./call-context.js";
import type { RpcSystem } from "./tracing.js";

/** A call a server started serving, as a {@link CallObserver} is told of it. */
export interface ObservedCall {
  /** `rpc.system` of the call: `grpc` (also for a call carried by a tunnel) or `connect_rpc`. */
  readonly system: RpcSystem;
  /** How it arrived: over gRPC, a tunnel or the Connect edge. */
  readonly transport: Transport;
  /** The service's full name, e.g. `modelrouter.router.v1.RouterService`. */
  readonly service: string;
  /** The method's name, e.g. `Infer`. */
  readonly method: string;
}

/**
 * Told of every call a server serves that has a span of its own (the services' calls over gRPC, tunnels and
 * Connect; not health probes, reflection or the tunnel streams themselves, nor in-process calls): when it starts,
 * and — through the function it returns — once, with the status code it ended with. For metrics: it runs on the
 * serving path, so it must be cheap and must not throw.
 */
export type CallObserver = (call: ObservedCall) => (code: number) => void;
