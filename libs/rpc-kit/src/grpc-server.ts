import * as grpc from "@grpc/grpc-js";
import type { DescMessage, DescService, MessageShape } from "@bufbuild/protobuf";
import { ROOT_CONTEXT, type TextMapGetter } from "@opentelemetry/api";
import { Health, TunnelService } from "@modelrouter/contracts";
import { reflectionV1, reflectionV1alpha } from "@modelrouter/contracts/reflection";
import { AsyncQueue } from "./async-queue.js";
import { type UnexpectedErrorListener } from "./error-table.js";
import { beforeGrpcReadsHeaders, http2ServersOf } from "./grpc-http2-hooks.js";
import { createHealthImpl, HealthState } from "./health.js";
import type { CallObserver } from "./call-observer.js";
import type { Authenticator } from "./identity.js";
import { MAX_CONCURRENT_STREAMS, MessageLimits } from "./limits.js";
import { methodSpecs } from "./method-spec.js";
import { createReflectionImpls } from "./reflection.js";
import { encodingRejection, ENCODING_REJECTED_HEADER, takeOverMessageEncoding } from "./message-encoding.js";
import { decodeFrameMessage, undecodable } from "./request-decoding.js";
import { guardStreamResets } from "./reset-guard.js";
import { grpcServerCredentials, type ServerTls } from "./server-tls.js";
import type { RpcError } from "./rpc-error.js";
import { serveStream, serveUnary, type IncomingCall, type Route } from "./serve-call.js";
import type { Subscribe } from "./server-call.js";
import { serviceRegistration, type ServiceRegistration } from "./service-types.js";
import { HEADERS_REJECTED_HEADER, headerSizeRejection, limitHeaderSize } from "./header-size.js";
import { RETRY_AFTER_MS_KEY, RETRY_PUSHBACK_KEY, STATUS_DETAILS_KEY, encodeStatusDetails } from "./status-details.js";
import { DEFAULT_MAX_DEADLINE_MS, normalizeTimeoutHeader, TIMEOUT_REJECTED_HEADER, timeoutRejection } from "./timeout-header.js";
import { extractContext } from "./tracing.js";
import { boundedForWire } from "./wire-bounds.js";
import { createTunnelImpl } from "./tunnel-server.js";

/** Options of {@link createGrpcServer}. */
export interface GrpcServerOptions {
  readonly services: readonly ServiceRegistration[];
  /** Called with every error a handler threw that is not a domain or RPC error (a bug). */
  readonly onUnexpectedError?: UnexpectedErrorListener;
  /** The largest request message accepted, in bytes. Default {@link MessageLimits.EDGE_BYTES}. */
  readonly maxReceiveMessageBytes?: number;
  /** A longer `grpc-timeout` is lowered to this, in ms. Default one hour. */
  readonly maxDeadlineMs?: number;
  /** Shared with the process's other servers, if any. Default: a new one. */
  readonly health?: HealthState;
  /**
   * Establishes the caller of every call — each service's, the built-ins' (health, reflection, tunnels) and each
   * call a tunnel carries (with its own headers) — before its handler runs; a rejection is the call's status.
   * None (authentication off): every call is `ANONYMOUS_ADMIN`.
   */
  readonly authenticate?: Authenticator;
  /** Serve TLS only (and require client certificates when it has a client CA). None: plaintext. */
  readonly tls?: ServerTls | undefined;
  /** Told of each call of the services (also those a tunnel carries) as it starts and ends: metrics. */
  readonly observe?: CallObserver | undefined;
}

/** A gRPC server hosting modelrouter services plus `grpc.health.v1.Health`, server reflection and tunnels. */
export interface GrpcServer {
  readonly health: HealthState;
  /** Binds `host:port` (port 0 picks a free one) and returns the bound port. */
  listen(address: string): Promise<number>;
  /**
   * Stops taking calls (health reports NOT_SERVING), ends long-lived streams (watches and tunnels end with
   * UNAVAILABLE so that clients reconnect elsewhere), lets in-flight unary calls finish for up to `graceMs`,
   * then closes every connection.
   */
  shutdown(graceMs: number): Promise<void>;
}

const metadataGetter: TextMapGetter<grpc.Metadata> = {
  get: (carrier, key) => {
    const values = carrier.get(key);
    return values.length === 0 ? undefined : String(values[0]);
  },
  keys: (carrier) => Object.keys(carrier.getMap()),
};

/** The parts of a grpc-js server call that every call kind has. */
interface SurfaceCall {
  getDeadline(): grpc.Deadline;
  readonly metadata: grpc.Metadata;
  readonly cancelled: boolean;
  on(event: "cancelled", listener: () => void): unknown;
  off(event: "cancelled", listener: () => void): unknown;
}

type Message = MessageShape<DescMessage>;

function toServiceError(unbounded: RpcError): Partial<grpc.StatusObject> {
  const error = boundedForWire(unbounded);
  const metadata = new grpc.Metadata();
  metadata.set(STATUS_DETAILS_KEY, Buffer.from(encodeStatusDetails(error)));
  // gRFC A6's pushback: how long a client's retry policy should wait (the retry hint, whole milliseconds).
  const retryAfterMs = error.metadata[RETRY_AFTER_MS_KEY];
  if (retryAfterMs !== undefined && /^[0-9]{1,9}$/.test(retryAfterMs)) metadata.set(RETRY_PUSHBACK_KEY, retryAfterMs);
  return { code: error.code, details: error.message, metadata };
}

/** grpc-js emits "cancelled" when a call's stream closes, also after a normal answer; the call lifecycle ignores it once the call is over. */
function cancelledEvent(call: SurfaceCall): Subscribe {
  return (abort) => {
    if (call.cancelled) {
      abort();
      return () => undefined;
    }
    call.on("cancelled", abort);
    return () => call.off("cancelled", abort);
  };
}

function incomingOf(call: SurfaceCall, hosting: Hosting, draining: AbortSignal | undefined): IncomingCall {
  const traced = hosting.traced;
  const deadline = call.getDeadline();
  const header = (key: string): string | undefined => {
    const values = call.metadata.get(key);
    return values.length === 0 ? undefined : String(values[0]);
  };
  return {
    transport: "grpc",
    system: traced ? "grpc" : undefined,
    parent: traced ? extractContext(call.metadata, metadataGetter) : ROOT_CONTEXT,
    deadline: deadline instanceof Date ? deadline.getTime() : deadline,
    header,
    cancellation: [cancelledEvent(call), draining],
    rejection:
      headerSizeRejection(header(HEADERS_REJECTED_HEADER)) ??
      timeoutRejection(header(TIMEOUT_REJECTED_HEADER)) ??
      encodingRejection(header(ENCODING_REJECTED_HEADER)),
    authenticate: hosting.authenticate,
    observe: hosting.observe,
  };
}

function waitForDrain(stream: NodeJS.EventEmitter & { cancelled: boolean }): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off("drain", done);
      stream.off("cancelled", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("cancelled", done);
  });
}

/**
 * The requests of a client or bidi stream as an async iterable. It reads the call's events rather than
 * iterating the call itself: a `for await` over a grpc-js call destroys the stream when the loop ends, before
 * the status can be sent — a client that half-closes (as grpcurl does) would never get it. Reading pauses while
 * `highWater` requests wait, so a fast sender cannot grow the queue without bound.
 */
function readRequests(call: grpc.ServerDuplexStream<unknown, Message>, highWater = 64): AsyncIterable<unknown> {
  const queue = new AsyncQueue<unknown>();
  let waiting = 0;
  call.on("data", (message: unknown) => {
    const error = undecodable(message);
    if (error !== undefined) {
      queue.close(error);
      return;
    }
    queue.push(message);
    if (++waiting >= highWater) call.pause();
  });
  call.on("end", () => queue.close());
  call.on("error", (error: unknown) => queue.close(error));
  call.on("cancelled", () => queue.close());
  return {
    async *[Symbol.asyncIterator]() {
      for await (const message of queue) {
        waiting--;
        if (call.isPaused()) call.resume();
        yield message;
      }
    },
  };
}

type WritableCall = grpc.ServerWritableStream<unknown, Message> | grpc.ServerDuplexStream<unknown, Message>;

async function writeAll(call: WritableCall, messages: AsyncGenerator<Message>): Promise<void> {
  try {
    for await (const message of messages) {
      if (call.cancelled) break;
      if (!call.write(message)) await waitForDrain(call);
    }
    if (!call.cancelled) call.end();
  } catch (error) {
    if (!call.cancelled) call.emit("error", toServiceError(error as RpcError));
  } finally {
    await messages.return(undefined);
  }
}

interface Hosting {
  readonly onUnexpected: UnexpectedErrorListener | undefined;
  readonly traced: boolean;
  readonly draining: AbortSignal;
  /**
   * Whether the server's drain cancels the service's streams at once (watches: the client reconnects
   * elsewhere), or lets them end by themselves (a tunnel answers its running calls first).
   */
  readonly cancelOnDrain: boolean;
  /** The largest request message, also once inflated. */
  readonly maxMessageBytes: number;
  readonly authenticate: Authenticator | undefined;
  readonly observe: CallObserver | undefined;
}

function handlerFor(route: Route, hosting: Hosting): grpc.UntypedHandleCall {
  const { onUnexpected, draining } = hosting;
  const cancelling = hosting.cancelOnDrain ? draining : undefined;
  switch (route.spec.kind) {
    case "unary":
      return ((call: grpc.ServerUnaryCall<unknown, Message>, callback: grpc.sendUnaryData<Message>) => {
        void serveUnary(route, call.request, incomingOf(call, hosting, undefined), onUnexpected).result.then((outcome) =>
          outcome.ok ? callback(null, outcome.response) : callback(toServiceError(outcome.error)),
        );
      }) as grpc.UntypedHandleCall;
    case "server_streaming":
      return ((call: grpc.ServerWritableStream<unknown, Message>) => {
        void writeAll(call, serveStream(route, call.request, incomingOf(call, hosting, cancelling), onUnexpected, cancelling).result);
      }) as grpc.UntypedHandleCall;
    case "bidi_streaming":
      return ((call: grpc.ServerDuplexStream<unknown, Message>) => {
        void writeAll(call, serveStream(route, readRequests(call), incomingOf(call, hosting, cancelling), onUnexpected, draining).result);
      }) as grpc.UntypedHandleCall;
    case "client_streaming":
      throw new Error(`${route.spec.path}: client-streaming methods are not supported`);
  }
}

function addService(server: grpc.Server, service: DescService, impl: Readonly<Record<string, unknown>>, hosting: Hosting): void {
  const definition: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  const handlers: Record<string, grpc.UntypedHandleCall> = {};
  for (const spec of methodSpecs(service)) {
    const handler = impl[spec.localName];
    if (typeof handler !== "function") {
      throw new Error(`${service.typeName}: no handler for method ${spec.method.name} (${spec.localName})`);
    }
    definition[spec.localName] = {
      path: spec.path,
      requestStream: spec.kind === "client_streaming" || spec.kind === "bidi_streaming",
      responseStream: spec.kind === "server_streaming" || spec.kind === "bidi_streaming",
      requestSerialize: spec.serialize as (v: unknown) => Buffer,
      requestDeserialize: (bytes: Buffer) => decodeFrameMessage(spec.method.input, bytes, hosting.maxMessageBytes),
      responseSerialize: spec.serializeResponse as (v: unknown) => Buffer,
      responseDeserialize: spec.deserializeResponse,
      originalName: spec.localName,
    };
    handlers[spec.localName] = handlerFor({ spec, handler: handler as Route["handler"] }, hosting);
  }
  server.addService(definition, handlers);
}

/**
 * Creates a gRPC server (grpc-js with the protobuf-es codec) for the given services. Every call goes through
 * the one call lifecycle (`serveUnary`/`serveStream`): a SERVER span under the caller's W3C trace context,
 * deadlines, cancellation, and whatever a handler throws, sync or async, becoming a status with
 * `google.rpc.ErrorInfo` details — never reaching the process. A request that cannot be decoded is
 * INVALID_ARGUMENT naming the field at fault (not grpc-js's INTERNAL); a `grpc-timeout` beyond
 * `maxDeadlineMs` is lowered to it and a malformed one refused; a client that resets many streams has its
 * connection closed gracefully before nghttp2 would drop it with every call on it.
 * The server also serves `grpc.health.v1.Health`, reflection, and `modelrouter.rpc.v1.TunnelService`, which
 * carries the services' unary calls over one stream (see `createTunnelClient`).
 */
export function createGrpcServer(options: GrpcServerOptions): GrpcServer {
  const health = options.health ?? new HealthState();
  const server = new grpc.Server({
    "grpc.max_receive_message_length": options.maxReceiveMessageBytes ?? MessageLimits.EDGE_BYTES,
    "grpc.max_concurrent_streams": MAX_CONCURRENT_STREAMS,
  });
  const onUnexpected = options.onUnexpectedError;
  const maxDeadlineMs = options.maxDeadlineMs ?? DEFAULT_MAX_DEADLINE_MS;
  const drain = new AbortController();
  const maxMessageBytes = options.maxReceiveMessageBytes ?? MessageLimits.EDGE_BYTES;
  const authenticate = options.authenticate;
  const observe = options.observe;
  const traced: Hosting = { onUnexpected, traced: true, draining: drain.signal, cancelOnDrain: true, maxMessageBytes, authenticate, observe };
  for (const { service, impl, streams } of options.services) addService(server, service, impl, { ...traced, cancelOnDrain: streams !== "answer" });
  const reflection = createReflectionImpls([...options.services.map((s) => s.service), Health, TunnelService]);
  const builtIns = [
    serviceRegistration(Health, createHealthImpl(health)),
    serviceRegistration(TunnelService, createTunnelImpl(options.services, onUnexpected, drain.signal, authenticate, observe)),
    serviceRegistration(reflectionV1.ServerReflection, reflection.v1),
    serviceRegistration(reflectionV1alpha.ServerReflection, reflection.v1alpha),
  ];
  // Not traced: probes and tunnels would fill traces with noise (a tunnel's calls have spans of their own).
  for (const { service, impl } of builtIns) {
    addService(server, service, impl, { ...traced, traced: false, cancelOnDrain: service !== TunnelService });
  }
  for (const { service } of options.services) health.register(service.typeName);

  return {
    health,
    listen(address) {
      return new Promise((resolve, reject) => {
        server.bindAsync(address, grpcServerCredentials(options.tls), (error, port) => {
          if (error !== null) {
            reject(error);
            return;
          }
          try {
            for (const http2Server of http2ServersOf(server)) {
              beforeGrpcReadsHeaders(http2Server, (headers) => {
                limitHeaderSize(headers);
                normalizeTimeoutHeader(headers, "grpc-timeout", maxDeadlineMs);
                takeOverMessageEncoding(headers);
              });
              guardStreamResets(http2Server);
            }
          } catch (hookError) {
            server.forceShutdown();
            reject(hookError);
            return;
          }
          health.listening();
          resolve(port);
        });
      });
    },
    shutdown(graceMs) {
      health.shutDown();
      drain.abort();
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        timer.unref();
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
