import type {
  DescMethodBiDiStreaming,
  DescMethodServerStreaming,
  DescMethodUnary,
  DescService,
  MessageInitShape,
  MessageShape,
} from "@bufbuild/protobuf";
import type { CallContext, CallOptions } from "./call-context.js";

/** A unary handler: one request in, one response out. */
export type UnaryImpl<M extends DescMethodUnary> = (
  request: MessageShape<M["input"]>,
  ctx: CallContext,
) => Promise<MessageShape<M["output"]>>;

/** A server-streaming handler: one request in, a stream of responses out. */
export type ServerStreamingImpl<M extends DescMethodServerStreaming> = (
  request: MessageShape<M["input"]>,
  ctx: CallContext,
) => AsyncIterable<MessageShape<M["output"]>>;

/** A bidirectional-streaming handler. */
export type BiDiStreamingImpl<M extends DescMethodBiDiStreaming> = (
  requests: AsyncIterable<MessageShape<M["input"]>>,
  ctx: CallContext,
) => AsyncIterable<MessageShape<M["output"]>>;

/** The handler type of one method. */
export type MethodImpl<M> = M extends DescMethodUnary
  ? UnaryImpl<M>
  : M extends DescMethodServerStreaming
    ? ServerStreamingImpl<M>
    : M extends DescMethodBiDiStreaming
      ? BiDiStreamingImpl<M>
      : never;

/**
 * A service implementation: one handler per method, keyed by the method's local name (`infer`,
 * `registerModel`, …). Written once; served over gRPC, over Connect, or called directly in-process.
 */
export type ServiceImpl<S extends DescService> = { [K in keyof S["method"]]: MethodImpl<S["method"][K]> };

/** A unary client method. */
export type UnaryCall<M extends DescMethodUnary> = (
  request: MessageInitShape<M["input"]>,
  options?: CallOptions,
) => Promise<MessageShape<M["output"]>>;

/** A server-streaming client method. The call starts when iteration starts; breaking out cancels it. */
export type ServerStreamingCall<M extends DescMethodServerStreaming> = (
  request: MessageInitShape<M["input"]>,
  options?: CallOptions,
) => AsyncIterable<MessageShape<M["output"]>>;

/** A bidirectional-streaming client method. */
export type BiDiStreamingCall<M extends DescMethodBiDiStreaming> = (
  requests: AsyncIterable<MessageInitShape<M["input"]>>,
  options?: CallOptions,
) => AsyncIterable<MessageShape<M["output"]>>;

/** The client type of one method. */
export type MethodCall<M> = M extends DescMethodUnary
  ? UnaryCall<M>
  : M extends DescMethodServerStreaming
    ? ServerStreamingCall<M>
    : M extends DescMethodBiDiStreaming
      ? BiDiStreamingCall<M>
      : never;

/**
 * A typed client of a service. The gRPC client and the direct (in-process) client implement the same type,
 * so code that calls a service does not know the topology.
 */
export type ServiceClient<S extends DescService> = { [K in keyof S["method"]]: MethodCall<S["method"][K]> };

/**
 * What a service's server streams are, which decides what a server's drain does with them: `"subscription"`
 * streams never end by themselves (watches), so the drain ends them at once with UNAVAILABLE and their clients
 * reconnect to another instance; `"answer"` streams are one answer each (a streamed generation) and end by
 * themselves, so the drain lets them finish within its grace period, like unary calls.
 */
export type StreamLifetime = "subscription" | "answer";

/** A service and its implementation, ready to be served. */
export interface ServiceRegistration {
  readonly service: DescService;
  readonly impl: Readonly<Record<string, unknown>>;
  /** What its server streams are (default `"subscription"`). */
  readonly streams?: StreamLifetime;
}

/** Pairs a service with its implementation, checking the implementation's type. */
export function serviceRegistration<S extends DescService>(service: S, impl: ServiceImpl<S>, streams?: StreamLifetime): ServiceRegistration {
  return { service, impl: impl as Readonly<Record<string, unknown>>, ...(streams === undefined ? {} : { streams }) };
}
