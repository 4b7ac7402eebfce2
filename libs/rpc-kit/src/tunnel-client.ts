import * as grpc from "@grpc/grpc-js";
import {
  create,
  fromBinary,
  toBinary,
  type DescMessage,
  type DescService,
  type MessageInitShape,
  type MessageShape,
} from "@bufbuild/protobuf";
import type { Span } from "@opentelemetry/api";
import { OpenRequestSchema, OpenResponseSchema, TunnelService, type OpenResponse } from "@modelrouter/contracts";
import { anySignal, resolveDeadline, type CallOptions } from "./call-context.js";
import { Code } from "./code.js";
import { createGrpcClient, type GrpcChannel, type GrpcClientOptions } from "./grpc-client.js";
import { MAX_TIMER_MS } from "./local-call-context.js";
import { methodSpecs, type MethodSpec } from "./method-spec.js";
import { RpcError } from "./rpc-error.js";
import type { ServiceClient } from "./service-types.js";
import { rpcErrorOf } from "./status-details.js";
import { endRpcSpan, injectContext, parentTraceContext, recordSetter, startClientSpan } from "./tracing.js";

const OPEN_PATH = `/${TunnelService.typeName}/Open`;
const MAX_TIMEOUT_MS = 2 ** 32 - 1;

interface Pending {
  readonly spec: MethodSpec;
  readonly span: Span;
  readonly resolve: (message: MessageShape<DescMessage>) => void;
  readonly reject: (error: RpcError) => void;
  readonly cleanup: () => void;
}

/**
 * One long-lived `TunnelService.Open` stream to a server, carrying many unary calls at once. Opened on the
 * first call and again after it breaks; when it breaks, the calls in flight fail with UNAVAILABLE (retryable:
 * the router may fall back).
 */
export interface Tunnel {
  readonly channel: GrpcChannel;
  /** Ends the stream; calls in flight fail with UNAVAILABLE. */
  close(): void;
  /** @internal */
  call(spec: MethodSpec, init: MessageInitShape<DescMessage>, options: CallOptions | undefined, defaultTimeoutMs: number): Promise<MessageShape<DescMessage>>;
}

function splitAddress(address: string): { host: string; port: number | undefined } {
  const match = /^\[?([^\]]*)\]?:(\d+)$/.exec(address);
  return match === null ? { host: address, port: undefined } : { host: match[1] ?? address, port: Number(match[2]) };
}

/** Opens (lazily) a tunnel over `channel`. */
export function createTunnel(channel: GrpcChannel): Tunnel {
  const { host, port } = splitAddress(channel.address);
  const pending = new Map<bigint, Pending>();
  let stream: grpc.ClientDuplexStream<unknown, OpenResponse> | undefined;
  let nextId = 1n;

  const failAll = (error: RpcError): void => {
    const calls = [...pending.values()];
    pending.clear();
    for (const call of calls) {
      call.cleanup();
      endRpcSpan(call.span, error.code, error.message);
      call.reject(error);
    }
  };
  const open = (): grpc.ClientDuplexStream<unknown, OpenResponse> => {
    const s = channel.client.makeBidiStreamRequest(
      OPEN_PATH,
      (message: unknown) => Buffer.from(toBinary(OpenRequestSchema, message as MessageShape<typeof OpenRequestSchema>)),
      (bytes: Buffer) => fromBinary(OpenResponseSchema, bytes),
      new grpc.Metadata(),
    );
    const broken = (reason: string): void => {
      if (stream === s) stream = undefined;
      failAll(new RpcError({ code: Code.UNAVAILABLE, message: `the tunnel to ${channel.address} broke: ${reason}` }));
    };
    s.on("data", (response: OpenResponse) => {
      const call = pending.get(response.callId);
      if (call === undefined) return;
      pending.delete(response.callId);
      call.cleanup();
      if (response.status !== undefined) {
        const error = rpcErrorOf(response.status);
        endRpcSpan(call.span, error.code, error.message);
        call.reject(error);
        return;
      }
      let message: MessageShape<DescMessage>;
      try {
        message = fromBinary(call.spec.method.output, response.message);
      } catch {
        const error = new RpcError({ code: Code.INTERNAL, message: "Error deserializing response" });
        endRpcSpan(call.span, error.code, error.message);
        call.reject(error);
        return;
      }
      endRpcSpan(call.span, Code.OK);
      call.resolve(message);
    });
    s.on("error", (error: grpc.ServiceError) => broken(error.details || error.message));
    s.on("end", () => broken("the server ended it"));
    return s;
  };
  const send = (message: MessageInitShape<typeof OpenRequestSchema>): void => {
    stream ??= open();
    stream.write(create(OpenRequestSchema, message));
  };

  return {
    channel,
    close() {
      stream?.end();
      stream = undefined;
      failAll(new RpcError({ code: Code.UNAVAILABLE, message: `the tunnel to ${channel.address} was closed` }));
    },
    call(spec, init, options, defaultTimeoutMs) {
      const parent = parentTraceContext(options);
      const span = startClientSpan(spec, host, port, parent);
      return new Promise((resolve, reject) => {
        const now = Date.now();
        const deadline = resolveDeadline(options, defaultTimeoutMs, now);
        const timeoutMs = Number.isFinite(deadline) ? Math.min(MAX_TIMEOUT_MS, Math.max(0, Math.ceil(deadline - now))) : 0;
        const fail = (error: RpcError): void => {
          endRpcSpan(span, error.code, error.message);
          reject(error);
        };
        if (Number.isFinite(deadline) && deadline <= now) {
          fail(new RpcError({ code: Code.DEADLINE_EXCEEDED, message: "deadline exceeded before the call was sent" }));
          return;
        }
        const signal = anySignal([options?.signal, options?.parent?.signal]);
        if (signal?.aborted) {
          fail(new RpcError({ code: Code.CANCELLED, message: "cancelled before the call was sent" }));
          return;
        }
        const callId = nextId++;
        const abandon = (error: RpcError): void => {
          if (!pending.delete(callId)) return;
          cleanup();
          stream?.write(create(OpenRequestSchema, { callId, cancel: true }));
          fail(error);
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
        const headers: Record<string, string> = { ...options?.headers };
        injectContext(span, parent, headers, recordSetter);
        pending.set(callId, { spec, span, resolve, reject, cleanup });
        send({ callId, method: spec.path, message: spec.serialize(spec.toRequest(init)), timeoutMs, headers });
      });
    },
  };
}

/**
 * A typed client of `service` whose unary calls travel through `tunnel` (streaming calls go over the tunnel's
 * channel as ordinary gRPC calls). Same type, deadlines, cancellation, spans and errors as
 * {@link createGrpcClient}; a fraction of its cost per call.
 */
export function createTunnelClient<S extends DescService>(service: S, tunnel: Tunnel, options: GrpcClientOptions): ServiceClient<S> {
  const grpcClient = createGrpcClient(service, tunnel.channel, options) as Record<string, unknown>;
  const client: Record<string, unknown> = {};
  for (const spec of methodSpecs(service)) {
    client[spec.localName] =
      spec.kind === "unary"
        ? (init: MessageInitShape<DescMessage>, callOptions?: CallOptions) =>
            tunnel.call(spec, init, callOptions, options.defaultTimeoutMs)
        : grpcClient[spec.localName];
  }
  return client as ServiceClient<S>;
}
