import type * as grpc from "@grpc/grpc-js";
import {
  create,
  fromBinary,
  toBinary,
  type DescMessage,
  type DescService,
  type MessageInitShape,
  type MessageShape,
} from "@bufbuild/protobuf";
import { OpenRequestSchema, OpenResponseSchema, TunnelService, type OpenResponse } from "@modelrouter/contracts";
import type { CallOptions } from "./call-context.js";
import { ClientCall } from "./client-call.js";
import { Code } from "./code.js";
import { createGrpcClient, metadataOf, peerOf, toRpcErrorFromGrpc, type GrpcChannel, type GrpcClientOptions } from "./grpc-client.js";
import { MessageLimits } from "./limits.js";
import { methodSpecs, type MethodSpec } from "./method-spec.js";
import { RpcError } from "./rpc-error.js";
import { MAX_TIMER_MS } from "./server-call.js";
import type { ServiceClient } from "./service-types.js";
import { rpcErrorOf } from "./status-details.js";

const OPEN_PATH = `/${TunnelService.typeName}/Open`;
const MAX_TIMEOUT_MS = 2 ** 32 - 1;
/** Bytes a tunnel frame adds around a call's message (call id, method, timeout, trace headers), with room to spare. */
const FRAME_OVERHEAD_BYTES = 16 * 1024;

interface Pending {
  readonly spec: MethodSpec;
  readonly call: ClientCall;
  readonly resolve: (message: MessageShape<DescMessage>) => void;
  readonly reject: (error: RpcError) => void;
  readonly cleanup: () => void;
}

/** Options of {@link createTunnel}. */
export interface TunnelOptions {
  /** The largest message the server at the other end accepts. Default {@link MessageLimits.INTERNAL_BYTES}. */
  readonly maxMessageBytes?: number;
  /**
   * Headers sent with the tunnel's stream and with every call it carries (a service's internal credential: the
   * server authenticates the stream and each call on its own).
   */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/**
 * One long-lived `TunnelService.Open` stream to a server, carrying many unary calls at once. Opened on the
 * first call and again after it breaks; when it breaks, the calls in flight fail with UNAVAILABLE (retryable:
 * the router may fall back). A call too large for the server is refused alone, before it is sent: one
 * oversized message must not break the stream for the calls it carries.
 */
export interface Tunnel {
  readonly channel: GrpcChannel;
  /** The headers it sends with its stream and every call (see {@link TunnelOptions.headers}). */
  readonly headers: Readonly<Record<string, string>> | undefined;
  /** Ends the stream; calls in flight fail with UNAVAILABLE. */
  close(): void;
  /** @internal */
  call(spec: MethodSpec, init: MessageInitShape<DescMessage>, options: CallOptions | undefined, defaultTimeoutMs: number): Promise<MessageShape<DescMessage>>;
}

/** Opens (lazily) a tunnel over `channel`. */
export function createTunnel(channel: GrpcChannel, options: TunnelOptions = {}): Tunnel {
  const peer = peerOf(channel);
  const maxMessageBytes = options.maxMessageBytes ?? MessageLimits.INTERNAL_BYTES;
  const fixed = options.headers;
  const pending = new Map<bigint, Pending>();
  let stream: grpc.ClientDuplexStream<unknown, OpenResponse> | undefined;
  let nextId = 1n;

  const failAll = (error: RpcError): void => {
    const calls = [...pending.values()];
    pending.clear();
    for (const entry of calls) {
      entry.cleanup();
      entry.reject(entry.call.fail(error));
    }
  };
  const open = (): grpc.ClientDuplexStream<unknown, OpenResponse> => {
    const s = channel.client.makeBidiStreamRequest(
      OPEN_PATH,
      (message: unknown) => Buffer.from(toBinary(OpenRequestSchema, message as MessageShape<typeof OpenRequestSchema>)),
      (bytes: Buffer) => fromBinary(OpenResponseSchema, bytes),
      metadataOf({}, fixed),
    );
    const broken = (reason: string): void => {
      if (stream === s) stream = undefined;
      failAll(new RpcError({ code: Code.UNAVAILABLE, message: `the connection to the service broke: ${reason}` }));
    };
    s.on("data", (response: OpenResponse) => {
      const entry = pending.get(response.callId);
      if (entry === undefined) return;
      pending.delete(response.callId);
      entry.cleanup();
      if (response.status !== undefined) {
        entry.reject(entry.call.fail(rpcErrorOf(response.status)));
        return;
      }
      let message: MessageShape<DescMessage>;
      try {
        message = fromBinary(entry.spec.method.output, response.message);
      } catch {
        entry.reject(entry.call.fail(new RpcError({ code: Code.INTERNAL, message: "the service's answer could not be decoded" })));
        return;
      }
      entry.call.end(Code.OK);
      entry.resolve(message);
    });
    s.on("error", (error: grpc.ServiceError) => {
      if (error.code === Code.UNAUTHENTICATED || error.code === Code.PERMISSION_DENIED) {
        // The server refused the stream's credential: every call carried by it is refused the same way (not retryable).
        if (stream === s) stream = undefined;
        failAll(toRpcErrorFromGrpc(error));
        return;
      }
      broken(error.details || error.message);
    });
    s.on("end", () => broken("the server ended it"));
    return s;
  };

  return {
    channel,
    headers: fixed,
    close() {
      stream?.end();
      stream = undefined;
      failAll(new RpcError({ code: Code.UNAVAILABLE, message: "the connection to the service was closed" }));
    },
    call(spec, init, callOptions, defaultTimeoutMs) {
      const call = new ClientCall(spec, callOptions, defaultTimeoutMs, peer);
      const signal = call.signal;
      return new Promise((resolve, reject) => {
        const now = Date.now();
        const refused = call.refusal(now);
        if (refused !== undefined) {
          reject(call.fail(refused));
          return;
        }
        const message = spec.serialize(spec.toRequest(init));
        if (message.byteLength + FRAME_OVERHEAD_BYTES > maxMessageBytes) {
          reject(
            call.fail(
              new RpcError({
                code: Code.RESOURCE_EXHAUSTED,
                message: `the request is too large: ${message.byteLength} bytes, more than the ${maxMessageBytes - FRAME_OVERHEAD_BYTES} an internal call may carry`,
              }),
            ),
          );
          return;
        }
        const timeoutMs = Number.isFinite(call.deadline) ? Math.min(MAX_TIMEOUT_MS, Math.max(1, Math.ceil(call.deadline - now))) : 0;
        const callId = nextId++;
        const abandon = (error: RpcError): void => {
          if (!pending.delete(callId)) return;
          cleanup();
          stream?.write(create(OpenRequestSchema, { callId, cancel: true }));
          reject(call.fail(error));
        };
        const timer =
          timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS
            ? setTimeout(() => abandon(new RpcError({ code: Code.DEADLINE_EXCEEDED, message: "deadline exceeded" })), timeoutMs)
            : undefined;
        const onAbort = (): void => abandon(new RpcError({ code: Code.CANCELLED, message: "cancelled by the caller" }));
        signal?.addEventListener("abort", onAbort, { once: true });
        const cleanup = (): void => {
          if (timer !== undefined) clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
        };
        pending.set(callId, { spec, call, resolve, reject, cleanup });
        stream ??= open();
        stream.write(create(OpenRequestSchema, { callId, method: spec.path, message, timeoutMs, headers: fixed === undefined ? call.headers : { ...call.headers, ...fixed } }));
      });
    },
  };
}

/**
 * A typed client of `service` whose unary calls travel through `tunnel` (streaming calls go over the tunnel's
 * channel as ordinary gRPC calls). Same type, deadlines, cancellation, spans and errors as
 * {@link createGrpcClient}; a fraction of its cost per call. The tunnel's headers go with every call, also the
 * streaming ones (unless `options.headers` names others).
 */
export function createTunnelClient<S extends DescService>(service: S, tunnel: Tunnel, options: GrpcClientOptions): ServiceClient<S> {
  const grpcClient = createGrpcClient(service, tunnel.channel, { ...options, headers: options.headers ?? tunnel.headers }) as Record<string, unknown>;
  const client: Record<string, unknown> = {};
  for (const spec of methodSpecs(service)) {
    client[spec.localName] =
      spec.kind === "unary"
        ? (init: MessageInitShape<DescMessage>, callOptions?: CallOptions) => tunnel.call(spec, init, callOptions, options.defaultTimeoutMs)
        : grpcClient[spec.localName];
  }
  return client as ServiceClient<S>;
}
