import * as grpc from "@grpc/grpc-js";
import type { DescMessage, DescService, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import type { Span, TextMapSetter } from "@opentelemetry/api";
import { anySignal, resolveDeadline, type CallOptions } from "./call-context.js";
import { Code } from "./code.js";
import { methodSpecs, type MethodSpec } from "./method-spec.js";
import { RpcError, isRpcError } from "./rpc-error.js";
import { STATUS_DETAILS_KEY, decodeStatusDetails } from "./status-details.js";
import type { ServiceClient } from "./service-types.js";
import { endRpcSpan, injectContext, parentTraceContext, runInContext, startClientSpan } from "./tracing.js";
import { trace } from "@opentelemetry/api";

/** Options of {@link createGrpcChannel}. */
export interface GrpcChannelOptions {
  /** Raw grpc-js channel options, merged over modelrouter's defaults. */
  readonly channelOptions?: Readonly<grpc.ChannelOptions>;
}

/** One HTTP/2 connection pool to one address, shared by every client of that address. */
export interface GrpcChannel {
  readonly address: string;
  /** @internal */
  readonly client: grpc.Client;
  close(): void;
}

/**
 * modelrouter's channel defaults: reconnect fast after a peer restarts (100 ms initial backoff, 1 s cap
 * instead of 1 s and 120 s), keepalive to notice dead peers, and grpc-js's own retries off (the router
 * decides what to retry, with fallbacks).
 */
const defaultChannelOptions: grpc.ChannelOptions = {
  "grpc.initial_reconnect_backoff_ms": 100,
  "grpc.max_reconnect_backoff_ms": 1000,
  "grpc.keepalive_time_ms": 30_000,
  "grpc.keepalive_timeout_ms": 10_000,
  "grpc.enable_retries": 0,
  "grpc.max_receive_message_length": 8 * 1024 * 1024,
};

/** Opens a channel to `host:port`. Connections are made lazily, on the first call. */
export function createGrpcChannel(address: string, options: GrpcChannelOptions = {}): GrpcChannel {
  const client = new grpc.Client(address, grpc.credentials.createInsecure(), {
    ...defaultChannelOptions,
    ...options.channelOptions,
  });
  return { address, client, close: () => client.close() };
}

/** Options of {@link createGrpcClient}. */
export interface GrpcClientOptions {
  /** The deadline of a call that has neither its own nor a parent's. */
  readonly defaultTimeoutMs: number;
}

const metadataSetter: TextMapSetter<grpc.Metadata> = {
  set: (carrier, key, value) => carrier.set(key, value),
};

function splitAddress(address: string): { host: string; port: number | undefined } {
  const match = /^\[?([^\]]*)\]?:(\d+)$/.exec(address);
  if (match === null) return { host: address, port: undefined };
  return { host: match[1] ?? address, port: Number(match[2]) };
}

function toRpcErrorFromGrpc(error: grpc.ServiceError): RpcError {
  const details = error.metadata?.get(STATUS_DETAILS_KEY)[0];
  return decodeStatusDetails(error.code, error.details, details instanceof Buffer ? details : undefined);
}

function prepare(spec: MethodSpec, options: CallOptions | undefined, defaultTimeoutMs: number, host: string, port: number | undefined) {
  const parent = parentTraceContext(options);
  const span = startClientSpan(spec, host, port, parent);
  const metadata = new grpc.Metadata();
  if (options?.headers !== undefined) {
    for (const [key, value] of Object.entries(options.headers)) metadata.set(key, value);
  }
  injectContext(span, parent, metadata, metadataSetter);
  const deadline = resolveDeadline(options, defaultTimeoutMs, Date.now());
  const signal = anySignal([options?.signal, options?.parent?.signal]);
  return { span, parent, metadata, deadline, signal };
}

function unaryCall(channel: GrpcChannel, spec: MethodSpec, defaultTimeoutMs: number) {
  const { host, port } = splitAddress(channel.address);
  return (init: MessageInitShape<DescMessage>, options?: CallOptions): Promise<MessageShape<DescMessage>> => {
    const { span, metadata, deadline, signal } = prepare(spec, options, defaultTimeoutMs, host, port);
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        const error = new RpcError({ code: Code.CANCELLED, message: "cancelled before the call started" });
        endRpcSpan(span, error.code, error.message);
        reject(error);
        return;
      }
      let onAbort: (() => void) | undefined;
      const call = channel.client.makeUnaryRequest(
        spec.path,
        spec.serialize,
        spec.deserializeResponse,
        spec.toRequest(init),
        metadata,
        { deadline },
        (error, response) => {
          if (onAbort !== undefined) signal?.removeEventListener("abort", onAbort);
          if (error !== null) {
            const rpcError = toRpcErrorFromGrpc(error);
            endRpcSpan(span, rpcError.code, rpcError.message);
            reject(rpcError);
            return;
          }
          endRpcSpan(span, Code.OK);
          resolve(response as MessageShape<DescMessage>);
        },
      );
      if (signal !== undefined) {
        onAbort = () => call.cancel();
        signal.addEventListener("abort", onAbort, { once: true });
      }
    });
  };
}

async function* readStream(
  span: Span,
  stream: grpc.ClientReadableStream<MessageShape<DescMessage>> | grpc.ClientDuplexStream<unknown, MessageShape<DescMessage>>,
  signal: AbortSignal | undefined,
): AsyncGenerator<MessageShape<DescMessage>> {
  const onAbort = (): void => stream.cancel();
  signal?.addEventListener("abort", onAbort, { once: true });
  let code: number = Code.OK;
  let message: string | undefined;
  try {
    for await (const item of stream as AsyncIterable<MessageShape<DescMessage>>) yield item;
  } catch (error) {
    const rpcError = isRpcError(error)
      ? error
      : error !== null && typeof error === "object" && "code" in error
        ? toRpcErrorFromGrpc(error as grpc.ServiceError)
        : new RpcError({ code: Code.UNKNOWN, message: String(error) });
    code = rpcError.code;
    message = rpcError.message;
    throw rpcError;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    stream.cancel();
    endRpcSpan(span, code, message);
  }
}

function serverStreamingCall(channel: GrpcChannel, spec: MethodSpec, defaultTimeoutMs: number) {
  const { host, port } = splitAddress(channel.address);
  return (init: MessageInitShape<DescMessage>, options?: CallOptions): AsyncIterable<MessageShape<DescMessage>> => ({
    [Symbol.asyncIterator]() {
      const { span, metadata, deadline, signal } = prepare(spec, options, defaultTimeoutMs, host, port);
      const stream = channel.client.makeServerStreamRequest(
        spec.path,
        spec.serialize,
        spec.deserializeResponse,
        spec.toRequest(init),
        metadata,
        { deadline },
      );
      return readStream(span, stream, signal);
    },
  });
}

function bidiStreamingCall(channel: GrpcChannel, spec: MethodSpec, defaultTimeoutMs: number) {
  const { host, port } = splitAddress(channel.address);
  return (
    requests: AsyncIterable<MessageInitShape<DescMessage>>,
    options?: CallOptions,
  ): AsyncIterable<MessageShape<DescMessage>> => ({
    [Symbol.asyncIterator]() {
      const { span, parent, metadata, deadline, signal } = prepare(spec, options, defaultTimeoutMs, host, port);
      const stream = channel.client.makeBidiStreamRequest(spec.path, spec.serialize, spec.deserializeResponse, metadata, {
        deadline,
      });
      const active = trace.setSpan(parent, span);
      void runInContext(active, async () => {
        try {
          for await (const request of requests) stream.write(spec.toRequest(request));
          stream.end();
        } catch {
          stream.cancel();
        }
      });
      return readStream(span, stream, signal);
    },
  });
}

/**
 * A typed gRPC client of `service` over `channel`. Each call has a deadline (its own, its parent's, or the
 * default), carries the W3C trace context of a CLIENT span, and fails with an {@link RpcError} that keeps
 * the server's `ErrorInfo` reason and field violations.
 */
export function createGrpcClient<S extends DescService>(
  service: S,
  channel: GrpcChannel,
  options: GrpcClientOptions,
): ServiceClient<S> {
  const client: Record<string, unknown> = {};
  for (const spec of methodSpecs(service)) {
    switch (spec.kind) {
      case "unary":
        client[spec.localName] = unaryCall(channel, spec, options.defaultTimeoutMs);
        break;
      case "server_streaming":
        client[spec.localName] = serverStreamingCall(channel, spec, options.defaultTimeoutMs);
        break;
      case "bidi_streaming":
        client[spec.localName] = bidiStreamingCall(channel, spec, options.defaultTimeoutMs);
        break;
      case "client_streaming":
        break;
    }
  }
  return client as ServiceClient<S>;
}
