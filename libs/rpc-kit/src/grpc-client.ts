import * as grpc from "@grpc/grpc-js";
import type { DescMessage, DescService, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import type { CallOptions } from "./call-context.js";
import { ClientCall, type Peer } from "./client-call.js";
import { grpcChannelCredentials, tlsChannelOptions, type ClientTls } from "./client-tls.js";
import { Code } from "./code.js";
import { MessageLimits } from "./limits.js";
import { methodSpecs, type MethodSpec } from "./method-spec.js";
import { RpcError, isRpcError } from "./rpc-error.js";
import { STATUS_DETAILS_KEY, decodeStatusDetails } from "./status-details.js";
import type { ServiceClient } from "./service-types.js";
import { runInContext } from "./tracing.js";
import { parseHostPort } from "@modelrouter/syntax";

/** Options of {@link createGrpcChannel}. */
export interface GrpcChannelOptions {
  /** Raw grpc-js channel options, merged over modelrouter's defaults. */
  readonly channelOptions?: Readonly<grpc.ChannelOptions>;
  /** Call over TLS, verifying the server with the CA bundle (and presenting a certificate when asked). None: plaintext. */
  readonly tls?: ClientTls | undefined;
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
 * instead of 1 s and 120 s), keepalive to notice dead peers, and answers as large as an internal hop carries.
 * grpc-js retries only what never reached a handler (a stream the server refused, once: a transparent retry);
 * every other failure is the caller's to retry (the router decides, with fallbacks). No retry policy is set.
 */
const defaultChannelOptions: grpc.ChannelOptions = {
  "grpc.initial_reconnect_backoff_ms": 100,
  "grpc.max_reconnect_backoff_ms": 1000,
  "grpc.keepalive_time_ms": 30_000,
  "grpc.keepalive_timeout_ms": 10_000,
  "grpc.max_receive_message_length": MessageLimits.INTERNAL_BYTES,
};

/** Opens a channel to `host:port`. Connections are made lazily, on the first call. */
export function createGrpcChannel(address: string, options: GrpcChannelOptions = {}): GrpcChannel {
  const client = new grpc.Client(address, grpcChannelCredentials(options.tls), {
    ...defaultChannelOptions,
    ...tlsChannelOptions(options.tls),
    ...options.channelOptions,
  });
  return { address, client, close: () => client.close() };
}

/** Options of {@link createGrpcClient}. */
export interface GrpcClientOptions {
  /** The deadline of a call that has neither its own nor a parent's. */
  readonly defaultTimeoutMs: number;
  /**
   * Headers sent with every call (a service's internal credential, a CLI's API key); they win over a call's own
   * headers of the same name.
   */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/** The peer of a channel, for span attributes. */
export function peerOf(channel: GrpcChannel): Peer {
  const parsed = parseHostPort(channel.address);
  return parsed === undefined ? { host: channel.address, port: undefined } : parsed;
}

/** The client's error of a grpc-js failure: its code, message, and the `ErrorInfo` and field violations it carries. */
export function toRpcErrorFromGrpc(error: grpc.ServiceError): RpcError {
  const details = error.metadata?.get(STATUS_DETAILS_KEY)[0];
  return decodeStatusDetails(error.code, error.details, details instanceof Buffer ? details : undefined);
}

/** The metadata of a call: its headers, then the client's fixed ones. */
export function metadataOf(headers: Readonly<Record<string, string>>, fixed?: Readonly<Record<string, string>>): grpc.Metadata {
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
  if (fixed !== undefined) for (const [key, value] of Object.entries(fixed)) metadata.set(key, value);
  return metadata;
}

type Fixed = Readonly<Record<string, string>> | undefined;

function unaryCall(channel: GrpcChannel, spec: MethodSpec, defaultTimeoutMs: number, fixed: Fixed) {
  const peer = peerOf(channel);
  return (init: MessageInitShape<DescMessage>, options?: CallOptions): Promise<MessageShape<DescMessage>> => {
    const call = new ClientCall(spec, options, defaultTimeoutMs, peer);
    const signal = call.signal;
    return new Promise((resolve, reject) => {
      const refused = call.refusal();
      if (refused !== undefined) {
        reject(call.fail(refused));
        return;
      }
      let onAbort: (() => void) | undefined;
      const pending = channel.client.makeUnaryRequest(
        spec.path,
        spec.serialize,
        spec.deserializeResponse,
        spec.toRequest(init),
        metadataOf(call.headers, fixed),
        { deadline: call.deadline },
        (error, response) => {
          if (onAbort !== undefined) signal?.removeEventListener("abort", onAbort);
          if (error !== null) {
            reject(call.fail(toRpcErrorFromGrpc(error)));
            return;
          }
          call.end(Code.OK);
          resolve(response as MessageShape<DescMessage>);
        },
      );
      if (signal !== undefined) {
        onAbort = () => pending.cancel();
        signal.addEventListener("abort", onAbort, { once: true });
      }
    });
  };
}

async function* readStream(
  call: ClientCall,
  stream: grpc.ClientReadableStream<MessageShape<DescMessage>> | grpc.ClientDuplexStream<unknown, MessageShape<DescMessage>>,
): AsyncGenerator<MessageShape<DescMessage>> {
  const signal = call.signal;
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
    call.end(code, message);
  }
}

function serverStreamingCall(channel: GrpcChannel, spec: MethodSpec, defaultTimeoutMs: number, fixed: Fixed) {
  const peer = peerOf(channel);
  return (init: MessageInitShape<DescMessage>, options?: CallOptions): AsyncIterable<MessageShape<DescMessage>> => ({
    [Symbol.asyncIterator]() {
      const call = new ClientCall(spec, options, defaultTimeoutMs, peer);
      const stream = channel.client.makeServerStreamRequest(
        spec.path,
        spec.serialize,
        spec.deserializeResponse,
        spec.toRequest(init),
        metadataOf(call.headers, fixed),
        { deadline: call.deadline },
      );
      return readStream(call, stream);
    },
  });
}

function bidiStreamingCall(channel: GrpcChannel, spec: MethodSpec, defaultTimeoutMs: number, fixed: Fixed) {
  const peer = peerOf(channel);
  return (
    requests: AsyncIterable<MessageInitShape<DescMessage>>,
    options?: CallOptions,
  ): AsyncIterable<MessageShape<DescMessage>> => ({
    [Symbol.asyncIterator]() {
      const call = new ClientCall(spec, options, defaultTimeoutMs, peer);
      const stream = channel.client.makeBidiStreamRequest(spec.path, spec.serialize, spec.deserializeResponse, metadataOf(call.headers, fixed), {
        deadline: call.deadline,
      });
      void runInContext(call.traceContext, async () => {
        try {
          for await (const request of requests) stream.write(spec.toRequest(request));
          stream.end();
        } catch {
          stream.cancel();
        }
      });
      return readStream(call, stream);
    },
  });
}

/**
 * A typed gRPC client of `service` over `channel`. Each call has a deadline (its own, its parent's, or the
 * default), carries the W3C trace context of a CLIENT span, and fails with an {@link RpcError} that keeps
 * the server's `ErrorInfo` reason and field violations. `options.headers` go with every call.
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
        client[spec.localName] = unaryCall(channel, spec, options.defaultTimeoutMs, options.headers);
        break;
      case "server_streaming":
        client[spec.localName] = serverStreamingCall(channel, spec, options.defaultTimeoutMs, options.headers);
        break;
      case "bidi_streaming":
        client[spec.localName] = bidiStreamingCall(channel, spec, options.defaultTimeoutMs, options.headers);
        break;
      case "client_streaming":
        break;
    }
  }
  return client as ServiceClient<S>;
}
